import type { JWK } from 'jose';
import type { Role } from './permissions.js';

/** Claims of an access token that passed every check. Frozen: safe to share between requests. */
export interface VerifiedAccessToken {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  /** RFC 9068: the client the token was issued to. */
  readonly client_id: string;
  readonly sid: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly email: string;
  readonly username: string;
  /** RFC 8176 methods of the login behind the token (`pwd`, `otp`, `mfa`, `fed`, `hwk`). */
  readonly amr: readonly string[];
  /** `aal1`, or `aal2` after a second factor or a passkey. */
  readonly acr: 'aal1' | 'aal2';
  /** Epoch seconds of that login, kept across refreshes. */
  readonly auth_time: number;
  /** Roles granted when the token was issued; empty for ordinary users. */
  readonly roles: readonly Role[];
}

/** What a revocation check needs to know about a token. `exp` is in epoch seconds. */
export interface RevocationClaims {
  readonly sub: string;
  readonly sid: string;
  readonly exp: number;
  /**
   * When the token was issued (epoch seconds). Given, the token is also refused when it predates
   * its user's not-before marker (a role change or a disable); omitted, only the session counts.
   */
  readonly iat?: number;
}

/**
 * Answers whether the session a token belongs to was revoked. Must throw (never answer
 * `false`) when it cannot know; the verifier then refuses with DEPENDENCY_UNAVAILABLE.
 */
export interface RevocationChecker {
  isRevoked(claims: RevocationClaims): Promise<boolean>;
}

/** Public keys given by configuration (e.g. the auth-service's JWKS baked into config). */
export interface LocalKeysOptions {
  readonly kind: 'local';
  readonly jwks: { readonly keys: readonly JWK[] };
}

/** Public keys fetched from the auth-service's JWKS URL. */
export interface RemoteKeysOptions {
  readonly kind: 'remote';
  readonly url: string;
  /** Minimum time between two fetches caused by an unknown `kid`. Default 30000. */
  readonly cooldownMs?: number;
  /** Keys older than this are re-fetched before use. Default 600000 (10 min). */
  readonly cacheMaxAgeMs?: number;
  /** Abort a JWKS request after this long. Default 2000. */
  readonly timeoutMs?: number;
  /**
   * Plain http lets anyone on the network path substitute signing keys, so it is refused
   * unless the host is a loopback address or this is set explicitly (e.g. a private
   * service mesh that already encrypts traffic).
   */
  readonly allowInsecureHttp?: boolean;
}

export type KeysOptions = LocalKeysOptions | RemoteKeysOptions;

export interface TokenVerifierOptions {
  /** Exact expected `iss`. */
  readonly issuer: string;
  /** Exact expected `aud` (a single string; array audiences are refused). */
  readonly audience: string;
  /** Allowed clock skew for `exp`/`nbf`, in seconds. Default 5. */
  readonly clockToleranceSec?: number;
  /** How far in the future `iat` may be (signer clock ahead of ours), in seconds. Default 60. */
  readonly maxIatSkewSec?: number;
  readonly keys: KeysOptions;
  /** Consulted on every call, cache hit or not. */
  readonly revocation?: RevocationChecker;
  /** Verified-token cache size; 0 disables the cache. Default 10000. */
  readonly cacheMaxEntries?: number;
}

export interface TokenVerifierStats {
  /** Tokens whose signature and claims were fully checked (cache misses that succeeded). */
  readonly verifications: number;
  /** Calls answered from the verified-token cache (no signature check). */
  readonly cacheHits: number;
  readonly cacheEntries: number;
}

export interface TokenVerifier {
  /** Resolves with the claims, or throws TokenVerificationError. */
  verify(token: string): Promise<VerifiedAccessToken>;
  stats(): TokenVerifierStats;
  /**
   * Resolves once signing keys are held (fetching a remote key set if none is yet), rejects
   * otherwise: a verifier without keys can only answer 503, so readiness asks this.
   */
  ensureKeys(): Promise<void>;
}
