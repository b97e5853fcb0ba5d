import { AppError } from '@authmeet/http-kit';
import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Passkey, User } from '../../generated/prisma/client.js';
import type { DeviceInfo, SessionsService } from '../sessions/sessions.service.js';
import { requireActiveUser } from '../users/user-rules.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { AuditRecorder } from '../audit/audit.service.js';
import type { PasskeyChallenges } from './passkey-challenges.js';
import type { PasskeysRepository } from './passkeys.repository.js';
import { appError } from '../../errors.js';
import { onFirstUse } from '../../on-first-use.js';

export interface PasskeysServiceDeps {
  repo: PasskeysRepository;
  users: UsersRepository;
  challenges: PasskeyChallenges;
  sessions: Pick<SessionsService, 'start'>;
  audit: AuditRecorder;
  /** While MFA is on, adding or removing a passkey needs a current code. */
  requireCurrentCode: (user: User, code: string | undefined, ip: string) => Promise<void>;
  clock: () => number;
  config: { rpId: string; rpName: string; origins: string[]; challengeTtlSec: number; requireEmailVerification: boolean };
}

export const toPasskeyView = (p: Passkey) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
});

/** The WebAuthn user handle: the user's id as 16 bytes (no personal data on the authenticator). */
const userHandleOf = (userId: string) => new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'));

/**
 * @simplewebauthn/server and its ASN.1 and COSE parsers load with the first passkey request, not
 * with the app: ~4.5 MB of heap that a replica serving logins and token checks would hold for
 * nothing (sharp and the S3 client wait for the first picture the same way).
 */
const webauthn = onFirstUse<typeof SimpleWebAuthn>(() => import('@simplewebauthn/server'));

const invalid = (detail: string, status: 400 | 401) => appError(status === 400 ? 'PASSKEY_INVALID_INPUT' : 'PASSKEY_INVALID', { detail });

export function createPasskeysService(deps: PasskeysServiceDeps) {
  const { repo, users, challenges, config } = deps;
  const timeout = config.challengeTtlSec * 1000;

  const activeUser = (userId: string) => requireActiveUser(users, userId);

  return {
    async registrationOptions(userId: string) {
      const user = await activeUser(userId);
      const existing = await repo.listByUser(userId);
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: config.rpName,
        rpID: config.rpId,
        userName: user.username,
        userDisplayName: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username,
        userID: userHandleOf(user.id),
        timeout,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        // Discoverable (login without a username) and verified (PIN or biometrics): a strong login alone.
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      await challenges.saveRegistration(userId, options.challenge);
      return { ...options };
    },

    async register(userId: string, input: { response: RegistrationResponseJSON; name?: string | undefined; code?: string | undefined }, ip: string) {
      const user = await activeUser(userId);
      await deps.requireCurrentCode(user, input.code, ip);
      const challenge = await challenges.takeRegistration(userId);
      if (!challenge) throw invalid('No registration in progress, or it expired: ask for new options', 400);
      const { verifyRegistrationResponse } = await webauthn();
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response: input.response,
          expectedChallenge: challenge,
          expectedOrigin: config.origins,
          expectedRPID: config.rpId,
          requireUserVerification: true,
        });
      } catch (error) {
        // Stryker disable next-line StringLiteral: the library throws only Errors; the fallback is for the types
        throw invalid(error instanceof Error ? error.message : 'The registration could not be verified', 400);
      }
      if (!verification.verified) throw invalid('The registration could not be verified', 400);
      const info = verification.registrationInfo;
      if (await repo.findByCredentialId(info.credential.id)) throw invalid('This passkey is already registered', 400);
      const passkey = {
        userId,
        credentialId: info.credential.id,
        publicKey: info.credential.publicKey,
        counter: info.credential.counter,
        transports: info.credential.transports ?? [],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        name: input.name ?? 'Passkey',
      };
      const created = await users.transaction(async (tx) => {
        const row = await repo.create(passkey, tx);
        await deps.audit.record({ type: 'user.passkey_added', targetId: userId, details: { passkeyId: row.id, name: row.name } }, tx);
        return row;
      });
      return toPasskeyView(created);
    },

    /** With an identifier, its passkeys are allowed; without (or unknown), any discoverable one. */
    async loginOptions(identifier: string | undefined) {
      const user = identifier === undefined ? null : await users.findByIdentifier(identifier);
      const passkeys = user ? await repo.listByUser(user.id) : [];
      const options = await (await webauthn()).generateAuthenticationOptions({
        rpID: config.rpId,
        timeout,
        userVerification: 'required',
        allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
      });
      const challengeId = await challenges.saveLogin({ challenge: options.challenge, userId: user?.id ?? null });
      return { challengeId, options: { ...options } };
    },

    async login(challengeId: string, response: AuthenticationResponseJSON, device: DeviceInfo) {
      const pending = await challenges.takeLogin(challengeId);
      if (!pending) throw invalid('Unknown, used or expired challenge', 401);
      const passkey = await repo.findByCredentialId(response.id);
      if (!passkey || (pending.userId !== null && passkey.userId !== pending.userId)) throw invalid('Unknown passkey', 401);
      const handle = response.response.userHandle;
      if (handle !== undefined && handle !== Buffer.from(userHandleOf(passkey.userId)).toString('base64url')) throw invalid('Unknown passkey', 401);
      const { verifyAuthenticationResponse } = await webauthn();
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge: pending.challenge,
          expectedOrigin: config.origins,
          expectedRPID: config.rpId,
          credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: Number(passkey.counter), transports: passkey.transports },
          // The library refuses a counter that did not grow (a cloned authenticator).
          requireUserVerification: true,
        });
      } catch (error) {
        // Stryker disable next-line StringLiteral: the library throws only Errors; the fallback is for the types
        throw invalid(error instanceof Error ? error.message : 'The passkey could not be verified', 401);
      }
      if (!verification.verified) throw invalid('The passkey could not be verified', 401);
      const now = deps.clock();
      if (!(await repo.recordUse(passkey.id, passkey.counter, verification.authenticationInfo.newCounter, new Date(now)))) {
        throw invalid('The passkey was used concurrently', 401);
      }
      const user = await users.findById(passkey.userId);
      // Stryker disable next-line ConditionalExpression,StringLiteral: passkeys go with their user (foreign key cascade); this is for the types
      if (!user) throw invalid('Unknown passkey', 401);
      if (!user.isActive) throw appError('ACCOUNT_DISABLED');
      if (config.requireEmailVerification && !user.emailVerified) throw appError('EMAIL_NOT_VERIFIED');
      // A verified passkey is two factors in one (possession, and a PIN or biometrics).
      return deps.sessions.start(user, device, { amr: ['hwk'], acr: 'aal2', authTime: now });
    },

    list: async (userId: string) => ({ items: (await repo.listByUser(userId)).map(toPasskeyView) }),

    async rename(userId: string, id: string, name: string) {
      const renamed = await users.transaction(async (tx) => {
        const row = await repo.rename(userId, id, name, tx);
        if (!row) throw new AppError('NOT_FOUND', { detail: 'No such passkey' });
        await deps.audit.record({ type: 'user.passkey_renamed', targetId: userId, details: { passkeyId: id, name } }, tx);
        return row;
      });
      return toPasskeyView(renamed);
    },

    async remove(userId: string, id: string, code: string | undefined, ip: string) {
      const user = await activeUser(userId);
      if (!(await repo.listByUser(userId)).some((p) => p.id === id)) throw new AppError('NOT_FOUND', { detail: 'No such passkey' });
      await deps.requireCurrentCode(user, code, ip);
      await users.transaction(async (tx) => {
        if (!(await repo.remove(userId, id, tx))) throw new AppError('NOT_FOUND', { detail: 'No such passkey' });
        await deps.audit.record({ type: 'user.passkey_removed', targetId: userId, details: { passkeyId: id } }, tx);
      });
    },
  };
}

export type PasskeysService = ReturnType<typeof createPasskeysService>;
