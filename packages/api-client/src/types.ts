import type { paths as AuthPaths } from './generated/auth-service.js';

/**
 * The JSON body of a generated response or request body type:
 * `JsonOf<AuthPaths['/v1/auth/sessions']['get']['responses'][200]>`.
 */
export type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type RequestJson<T> = T extends { requestBody?: infer Body } ? JsonOf<NonNullable<Body>> : never;

/** The user object (`GET /v1/auth/me`). */
export type User = JsonOf<AuthPaths['/v1/auth/me']['get']['responses'][200]>;

/** `POST /v1/auth/login`'s body: `identifier` (or `email` / `username`) and `password`. */
export type LoginInput = RequestJson<AuthPaths['/v1/auth/login']['post']>;

/** `POST /v1/auth/mfa/verify`'s body: `{ mfaToken, code }` or `{ mfaToken, recoveryCode }`. */
export type MfaVerifyInput = RequestJson<AuthPaths['/v1/auth/mfa/verify']['post']>;

/**
 * What login, refresh, MFA verify, passkey login and the OAuth exchange answer. `refreshToken`
 * is absent in cookie mode (the cookie carries it).
 */
export interface TokensBody {
  accessToken: string;
  refreshToken?: string;
  tokenType?: 'Bearer';
  /** Seconds the access token lives. */
  expiresIn: number;
  sessionId: string;
  user: User;
}

/** A login of a user with a second factor: finish with `verifyMfa`. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  methods: string[];
}

/** The auth-service routes that sign a user in (answer a tokens body). */
export type SignInPath =
  | '/v1/auth/login'
  | '/v1/auth/mfa/verify'
  | '/v1/auth/passkeys/login/verify'
  | '/v1/auth/oauth/exchange';
