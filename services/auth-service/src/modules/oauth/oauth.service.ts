import { randomBytes } from 'node:crypto';
import { AppError, secretsEqual } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { AccountMails } from '../account/account-mails.js';
import type { AuditRecorder } from '../audit/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { MfaChallenge } from '../auth/authentication.js';
import type { DeviceInfo, SessionsService, TokenPair } from '../sessions/sessions.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { GoogleClient } from './google-client.js';
import { classifyOidcError, openIdClient } from './google-client.js';
import type { IdentitiesRepository } from './oauth.repository.js';
import type { OAuthStore } from './oauth-store.js';
import { hashBinding } from './oauth-store.js';
import { findOrCreateUser } from './provider-account.js';
import type { RedirectAllowlist } from './redirect-allowlist.js';
import { appError, publicCode } from '../../errors.js';

export const GOOGLE = 'google';

export interface OAuthServiceDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  identities: IdentitiesRepository;
  store: OAuthStore;
  /** Undefined when Google sign-in is not configured. */
  google: GoogleClient | undefined;
  allowlist: RedirectAllowlist;
  accountMails: AccountMails;
  sessions: Pick<SessionsService, 'revokeAll'>;
  /** A verified Google sign-in is a first factor: a session, or the second step (mfa module). */
  signIn: (user: User, device: DeviceInfo, firstFactor: 'fed') => Promise<TokenPair | MfaChallenge>;
  /** Links and sign-ups through the provider go to the audit trail. */
  audit: AuditRecorder;
  kickMail: () => void;
  /** Turns infrastructure failures (database, Redis) into their AppError. */
  mapError: (error: unknown) => AppError | undefined;
  onUnexpectedError: (error: unknown) => void;
  config: { requireEmailVerification: boolean; defaultRedirect: string; stateTtlSec: number; codeTtlSec: number };
}

/** 256 random bits, base64url: the one-time code and the browser binding. */
const secret = () => randomBytes(32).toString('base64url');
const isSecretShape = (v: string) => /^[A-Za-z0-9_-]{43}$/.test(v);

function withParams(target: string, params: Record<string, string>): string {
  const url = new URL(target);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

/** Sign-in with Google (OpenID Connect code flow with PKCE, state and nonce). */
export function createOAuthService(deps: OAuthServiceDeps) {
  const { store, config } = deps;

  function requireGoogle(): GoogleClient {
    if (!deps.google) throw new AppError('NOT_FOUND', { detail: 'Google sign-in is not configured' });
    return deps.google;
  }

  /** The account rules a sign-in must pass before a code is handed out, here and at exchange. */
  function assertMaySignIn(user: User) {
    if (!user.isActive) throw appError('ACCOUNT_DISABLED');
    if (config.requireEmailVerification && !user.emailVerified) throw appError('EMAIL_NOT_VERIFIED');
  }

  /** The wire code a failed sign-in reports to the client. */
  function errorCodeOf(error: unknown): string {
    if (error instanceof AppError) return error.publicCode;
    const mapped = deps.mapError(error);
    if (mapped) return mapped.publicCode;
    deps.onUnexpectedError(error);
    return 'INTERNAL_ERROR';
  }

  return {
    /** Where to send the browser, and the binding value for its cookie. */
    async start(redirectTo: string | undefined): Promise<{ location: string; binding: string }> {
      const google = requireGoogle();
      const target = deps.allowlist.check(redirectTo ?? config.defaultRedirect);
      if (!target) {
        throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'redirectTo', message: 'is not an allowed redirect target' }] });
      }
      const oidc = await openIdClient();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const verifier = oidc.randomPKCECodeVerifier();
      const binding = secret();
      const location = await google.authorizationUrl({ state, nonce, codeChallenge: await oidc.calculatePKCECodeChallenge(verifier) });
      await store.saveState(state, { verifier, nonce, redirectTo: target.href, bindingHash: hashBinding(binding) }, config.stateTtlSec);
      return { location, binding };
    },

    /**
     * The provider's redirect back. Without a known `state` nothing is trusted, not even where
     * to redirect: that is a 400 problem. With one, every outcome is a redirect to the
     * redirectTo fixed at start: `?code=` on success, `?error=<CODE>` otherwise.
     */
    async callback(query: URLSearchParams, binding: string | undefined): Promise<string> {
      const google = requireGoogle();
      const state = query.get('state');
      const pending = state ? await store.takeState(state) : undefined;
      if (!state || !pending) throw appError('TOKEN_INVALID_INPUT', { detail: 'Unknown, used or expired sign-in state' });
      const fail = (code: string) => withParams(pending.redirectTo, { error: code });

      // Login CSRF: the callback must come from the browser that started the flow, or an
      // attacker could plant their own sign-in in a victim's browser.
      if (!binding || !secretsEqual(hashBinding(binding), pending.bindingHash)) return fail(publicCode('TOKEN_INVALID_INPUT'));

      let claims;
      try {
        claims = await google.exchange(query, { state, nonce: pending.nonce, verifier: pending.verifier });
      } catch (error) {
        return fail(publicCode(classifyOidcError(error)));
      }
      try {
        const user = await findOrCreateUser(deps, GOOGLE, claims);
        assertMaySignIn(user);
        const code = secret();
        await store.saveCode(code, user.id, config.codeTtlSec);
        return withParams(pending.redirectTo, { code });
      } catch (error) {
        return fail(errorCodeOf(error));
      }
    },

    /** The one-time code from the redirect, swapped for tokens (never tokens in a URL). */
    async exchange(code: string, device: DeviceInfo): Promise<TokenPair | MfaChallenge> {
      const userId = isSecretShape(code) ? await store.takeCode(code) : undefined;
      if (!userId) throw appError('TOKEN_INVALID_INPUT', { detail: 'Unknown, used or expired sign-in code' });
      const user = await deps.users.findById(userId);
      if (!user) throw appError('TOKEN_INVALID_INPUT');
      assertMaySignIn(user);
      return deps.signIn(user, device, 'fed');
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
