import { hash } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { boundedCache } from './bounded-cache.js';
import { REQUIRED_CLAIMS, toVerifiedAccessToken } from './claims.js';
import { TokenVerificationError } from './errors.js';
import { ACCEPTED_ALGORITHMS, createKeySource } from './key-source.js';
import type { TokenVerifier, TokenVerifierOptions, VerifiedAccessToken } from './types.js';

const DEFAULT_CLOCK_TOLERANCE_SEC = 5;
const DEFAULT_MAX_IAT_SKEW_SEC = 60;
const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
/** Our access tokens are well under 2 KB; refusing huge inputs early bounds parsing work. */
const MAX_TOKEN_LENGTH = 8_192;
/** RFC 9068 access-token type; jose also accepts the equivalent `application/at+jwt`. */
const ACCESS_TOKEN_TYP = 'at+jwt';

function requireText(value: string, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function cacheKey(token: string): string {
  // Hashing keeps bearer tokens themselves out of the long-lived cache (heap dumps, etc.).
  // One-shot `hash`: half the cost of createHash().update().digest() on every request.
  return hash('sha256', token, 'base64url');
}

/** Translate any failure into one of our codes without leaking token contents. */
function toVerificationError(err: unknown): TokenVerificationError {
  if (err instanceof TokenVerificationError) return err;
  if (err instanceof errors.JWTExpired) return new TokenVerificationError('TOKEN_EXPIRED', 'token expired');
  return new TokenVerificationError('TOKEN_INVALID', 'token invalid', { cause: err });
}

/**
 * Builds the shared access-token verifier. Checks, in order: token shape, header (`alg`
 * pinned to EdDSA, `kid` required, no key-referencing headers, `typ` at+jwt), signature with
 * a key from the configured set only, `iss`/`aud` exact, `exp`/`nbf` with clock tolerance,
 * `iat` not in the future beyond `maxIatSkewSec`, required claims (RFC 9068's `client_id`
 * among them), and finally revocation (on every call, even cache hits).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = requireText(options.issuer, 'issuer');
  const audience = requireText(options.audience, 'audience');
  const clockTolerance = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new TypeError('clockToleranceSec must be a non-negative number');
  }
  const maxIatSkewSec = options.maxIatSkewSec ?? DEFAULT_MAX_IAT_SKEW_SEC;
  if (!Number.isFinite(maxIatSkewSec) || maxIatSkewSec < 0) {
    throw new TypeError('maxIatSkewSec must be a non-negative number');
  }
  const maxEntries = options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  if (!Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new TypeError('cacheMaxEntries must be a non-negative integer');
  }
  const keySource = createKeySource(options.keys);
  const resolveKey = keySource.resolve;
  const revocation = options.revocation;
  const cache = maxEntries > 0 ? boundedCache<string, VerifiedAccessToken>(maxEntries) : undefined;
  let verifications = 0;
  let cacheHits = 0;

  async function verifySignatureAndClaims(token: string): Promise<VerifiedAccessToken> {
    try {
      const { payload } = await jwtVerify(token, resolveKey, {
        algorithms: [...ACCEPTED_ALGORITHMS],
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYP,
        clockTolerance,
        requiredClaims: [...REQUIRED_CLAIMS],
      });
      return toVerifiedAccessToken(payload, { issuer, audience, maxIatSkewSec, nowSec: Math.floor(Date.now() / 1000) });
    } catch (err) {
      throw toVerificationError(err);
    }
  }

  function cached(key: string, nowMs: number): VerifiedAccessToken | undefined {
    const hit = cache?.get(key);
    // Belt and braces next to the entry TTL: never serve a cached token past its exp.
    if (hit === undefined || hit.exp * 1000 <= nowMs) return undefined;
    return hit;
  }

  async function checkRevocation(claims: VerifiedAccessToken): Promise<void> {
    if (revocation === undefined) return;
    let revoked: boolean;
    try {
      revoked = await revocation.isRevoked({ sub: claims.sub, sid: claims.sid, exp: claims.exp, iat: claims.iat });
    } catch (err) {
      // Fail closed: not knowing whether a session was revoked is not a reason to accept it.
      throw new TokenVerificationError('DEPENDENCY_UNAVAILABLE', 'revocation state unavailable', { cause: err });
    }
    if (revoked) throw new TokenVerificationError('TOKEN_REVOKED', 'token revoked');
  }

  return {
    async verify(token: string): Promise<VerifiedAccessToken> {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw new TokenVerificationError('TOKEN_INVALID', 'token invalid');
      }
      const key = cache === undefined ? '' : cacheKey(token);
      let claims = cached(key, Date.now());
      if (claims === undefined) {
        claims = await verifySignatureAndClaims(token);
        verifications += 1;
        const ttl = claims.exp * 1000 - Date.now();
        // Cache only until exp (not exp + tolerance): after that the full check decides.
        if (cache !== undefined && ttl >= 1) cache.set(key, claims, { ttl: Math.floor(ttl) });
      } else {
        cacheHits += 1;
      }
      await checkRevocation(claims);
      return claims;
    },
    stats() {
      return { verifications, cacheHits, cacheEntries: cache?.size ?? 0 };
    },
    ensureKeys: () => keySource.ensureKeys(),
  };
}
