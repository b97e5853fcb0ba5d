import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import { pendingLogin } from '../auth/authentication.js';
import type { Authentication, FirstFactor, MfaChallenge, MfaTokenStore } from '../auth/authentication.js';
import type { DeviceInfo, SessionsService, TokenPair } from '../sessions/sessions.service.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import { requireActiveUser } from '../users/user-rules.js';
import type { Db, UsersRepository } from '../users/users.repository.js';
import { enrolment, hashRecoveryCode, newRecoveryCodes, newTotpSecret } from './codes.js';
import type { MfaRepository } from './mfa.repository.js';
import type { SecretBox } from './secret-box.js';
import type { SecondFactor, SecondFactorChecker } from './second-factor.js';
import type { AuditRecorder } from '../audit/audit.service.js';
import { appError } from '../../errors.js';

export interface MfaServiceDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  repo: MfaRepository;
  box: SecretBox;
  secondFactor: SecondFactorChecker;
  tokens: MfaTokenStore;
  sessions: Pick<SessionsService, 'start'>;
  audit: AuditRecorder;
  /** The password check of the login throttle (turning MFA off needs the password too). */
  assertPassword: (user: User, password: string, ip: string) => Promise<void>;
  clock: () => number;
  config: { enabled: boolean; issuer: string };
}

export function createMfaService(deps: MfaServiceDeps) {
  const { users, outbox, repo, box, secondFactor, clock } = deps;

  const activeUser = (userId: string) => requireActiveUser(users, userId);

  /** MFA on or off for the user, as a synced user change (version bump and outbox row). */
  async function setEnabled(userId: string, enabled: boolean, tx: Db) {
    const updated = await users.update(userId, { mfaEnabled: enabled }, tx);
    await outbox.enqueue(updated, 'upsert', tx);
  }

  async function issueRecoveryCodes(userId: string, tx: Db): Promise<string[]> {
    const codes = newRecoveryCodes();
    await repo.replaceRecoveryCodes(userId, codes.map((c) => hashRecoveryCode(userId, c)), tx);
    return codes;
  }

  return {
    /**
     * A first factor passed (a password, or a Google sign-in): a session, or for a user with MFA
     * on the second step to take first (`mfaToken`).
     */
    async signIn(user: User, device: DeviceInfo, firstFactor: FirstFactor): Promise<TokenPair | MfaChallenge> {
      if (user.mfaEnabled) {
        return { mfaRequired: true, mfaToken: await deps.tokens.issue(user.id, firstFactor), methods: ['totp', 'recovery_code'] };
      }
      return deps.sessions.start(user, device, { amr: [firstFactor], acr: 'aal1', authTime: clock() });
    },

    async setup(userId: string) {
      if (!deps.config.enabled) throw new AppError('FORBIDDEN', { detail: 'Multi-factor authentication is turned off on this server' });
      const user = await activeUser(userId);
      if (user.mfaEnabled) throw appError('MFA_ALREADY_ENABLED', { detail: 'Turn it off first to enrol another authenticator' });
      const secret = await newTotpSecret();
      await repo.savePending(userId, box.seal(secret, userId));
      return enrolment(secret, deps.config.issuer, user.email);
    },

    async confirm(userId: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const user = await activeUser(userId);
      if (user.mfaEnabled) throw appError('MFA_ALREADY_ENABLED');
      const pending = await repo.findTotp(userId);
      if (!pending) throw appError('MFA_NOT_ENABLED', { detail: 'Start with POST /v1/auth/mfa/totp/setup' });
      if (!(await secondFactor.totpMatches(userId, code))) throw appError('MFA_CODE_INVALID_INPUT');
      const recoveryCodes = await users.transaction(async (tx) => {
        await repo.markConfirmed(userId, tx);
        await setEnabled(userId, true, tx);
        await deps.audit.record({ type: 'user.mfa_enabled', targetId: userId }, tx);
        return issueRecoveryCodes(userId, tx);
      });
      return { recoveryCodes };
    },

    async disable(userId: string, password: string, code: string, ip: string) {
      const user = await activeUser(userId);
      if (!user.mfaEnabled) throw appError('MFA_NOT_ENABLED');
      await deps.assertPassword(user, password, ip);
      await secondFactor.requireCurrentCode(user, code, ip);
      await users.transaction(async (tx) => {
        await repo.removeAll(userId, tx, { passkeys: false });
        await setEnabled(userId, false, tx);
        await deps.audit.record({ type: 'user.mfa_disabled', targetId: userId }, tx);
      });
    },

    async regenerateRecoveryCodes(userId: string, code: string, ip: string): Promise<{ recoveryCodes: string[] }> {
      const user = await activeUser(userId);
      if (!user.mfaEnabled) throw appError('MFA_NOT_ENABLED');
      await secondFactor.requireCurrentCode(user, code, ip);
      const recoveryCodes = await users.transaction(async (tx) => {
        await deps.audit.record({ type: 'user.recovery_codes_regenerated', targetId: userId }, tx);
        return issueRecoveryCodes(userId, tx);
      });
      return { recoveryCodes };
    },

    /**
     * The second step of a login: the `mfaToken` and a code open the session. The token is the
     * throttle's one-time pass: read with the guess's reservation, taken with the settle of a
     * right answer (one Redis round trip each), while the user and TOTP row come in one
     * statement, sent alongside the reservation.
     */
    async verifyLogin(mfaToken: string, factor: SecondFactor, device: DeviceInfo) {
      const pass = deps.tokens.pass(mfaToken);
      if (!pass) throw appError('MFA_TOKEN_INVALID');
      const reading = repo.findLoginAccount(pass.userId);
      // Awaited only once the token is known to be live; a refusal before that drops it.
      reading.catch(() => undefined);
      const check = await secondFactor.matchesUnderPass(pass, factor, device.ip, async (ff) => {
        const account = await reading;
        if (!pendingLogin(pass.userId, ff) || !account?.user.isActive || !account.user.mfaEnabled) {
          // Refused uncounted (the throttle refunds a check that throws); the token is spent.
          await deps.tokens.take(mfaToken);
          throw appError(account && !account.user.isActive ? 'ACCOUNT_DISABLED' : 'MFA_TOKEN_INVALID');
        }
        return account;
      });
      if (check.status === 'no_pass') throw appError('MFA_TOKEN_INVALID');
      if (!check.result.ok) {
        await deps.tokens.fail(mfaToken);
        throw appError('MFA_CODE_INVALID');
      }
      // Single use: of two requests that both passed the check, one opens a session.
      if (!check.taken) throw appError('MFA_TOKEN_INVALID');
      // The check refused any other stored first factor.
      const firstFactor = check.value as FirstFactor;
      const authn: Authentication = {
        amr: 'code' in factor ? [firstFactor, 'otp', 'mfa'] : [firstFactor, 'mfa'],
        acr: 'aal2',
        authTime: clock(),
      };
      return deps.sessions.start(check.result.user, device, authn);
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
