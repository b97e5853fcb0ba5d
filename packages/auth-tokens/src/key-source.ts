import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors } from 'jose';
import type { CompactJWSHeaderParameters, CryptoKey, FlattenedJWSInput, JWK, JWTVerifyGetKey } from 'jose';
import { TokenVerificationError } from './errors.js';
import type { KeysOptions, LocalKeysOptions, RemoteKeysOptions } from './types.js';

/**
 * The only signature algorithm accepted. Pinning it (instead of trusting the header's `alg`)
 * closes algorithm-confusion attacks: `none`, and HS256 "signed" with our public key as the
 * HMAC secret, are refused before any key is even looked up.
 */
export const ACCEPTED_ALGORITHMS: readonly string[] = ['EdDSA'];

/**
 * Header parameters that point at (or embed) a key. A verifier that followed them would let
 * the token choose the key that verifies it. jose never follows them; refusing tokens that
 * carry them at all keeps that guarantee even if a future code path forgot.
 */
const KEY_REFERENCING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_CACHE_MAX_AGE_MS = 600_000;
const DEFAULT_TIMEOUT_MS = 2_000;
/**
 * jose only starts its cooldown after a *successful* fetch, so while the JWKS endpoint fails,
 * every unknown-kid token would trigger a new request. This backoff caps failed attempts to one
 * per second (or per cooldown if shorter) so forged tokens cannot hammer a struggling service.
 */
const MAX_FAILED_FETCH_BACKOFF_MS = 1_000;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

type KeyResolver = JWTVerifyGetKey<CryptoKey>;

export interface KeySource {
  resolve: KeyResolver;
  /** Resolves once a key set is held, fetching it if none is yet; rejects if it cannot be had. */
  ensureKeys(): Promise<void>;
}

function invalid(message: string): TokenVerificationError {
  return new TokenVerificationError('TOKEN_INVALID', message);
}

/** Structural checks on the header that do not depend on which key set is used. */
function checkHeader(header: CompactJWSHeaderParameters): string {
  for (const name of KEY_REFERENCING_HEADERS) {
    if (Object.hasOwn(header, name)) throw invalid('token header references a key');
  }
  // Without a required kid, jose would pick the only configured key; requiring it makes key
  // selection explicit and lets rotation work without trial verification.
  const { kid } = header;
  if (typeof kid !== 'string' || kid.length === 0) throw invalid('token has no key id');
  return kid;
}

/** Fail at start-up on a key set that could weaken verification. */
function assertPublicEd25519Keys(keys: readonly JWK[]): void {
  if (keys.length === 0) throw new TypeError('keys.jwks.keys must not be empty');
  const kids = new Set<string>();
  for (const key of keys) {
    // A private component here means a signing key leaked into a verifier's configuration.
    if (Object.hasOwn(key, 'd')) throw new TypeError('keys.jwks must contain public keys only');
    if (key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.x !== 'string') {
      throw new TypeError('keys.jwks may only contain Ed25519 (OKP) public keys');
    }
    if (key.alg !== undefined && key.alg !== 'EdDSA') throw new TypeError('keys.jwks key alg must be EdDSA');
    if (key.use !== undefined && key.use !== 'sig') throw new TypeError('keys.jwks key use must be sig');
    if (typeof key.kid !== 'string' || key.kid.length === 0) throw new TypeError('keys.jwks keys need a kid');
    if (kids.has(key.kid)) throw new TypeError('keys.jwks kids must be unique');
    kids.add(key.kid);
  }
}

function isKeySelectionError(err: unknown): boolean {
  // The token names a kid/alg our key set cannot satisfy: the token's fault, not ours.
  return (
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys ||
    err instanceof errors.JOSENotSupported
  );
}

function createLocalResolver(options: LocalKeysOptions): KeySource {
  assertPublicEd25519Keys(options.jwks.keys);
  const jwks = createLocalJWKSet({ keys: options.jwks.keys.map((key) => ({ ...key })) });
  const resolve = async (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => {
    checkHeader(header);
    try {
      return await jwks(header, token);
    } catch (err) {
      throw isKeySelectionError(err) ? invalid('no matching key') : invalid('unusable key');
    }
  };
  return { resolve, ensureKeys: async () => undefined };
}

function parseJwksUrl(options: RemoteKeysOptions): URL {
  const url = new URL(options.url);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || options.allowInsecureHttp === true)) {
    return url;
  }
  throw new TypeError('keys.url must be https (http only for loopback or with allowInsecureHttp)');
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) throw new TypeError(`${name} must be a non-negative number`);
  return result;
}

function createRemoteResolver(options: RemoteKeysOptions): KeySource {
  const url = parseJwksUrl(options);
  const cooldownDuration = nonNegative(options.cooldownMs, DEFAULT_COOLDOWN_MS, 'keys.cooldownMs');
  const cacheMaxAge = nonNegative(options.cacheMaxAgeMs, DEFAULT_CACHE_MAX_AGE_MS, 'keys.cacheMaxAgeMs');
  const timeoutDuration = Math.ceil(nonNegative(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'keys.timeoutMs'));
  const failureBackoffMs = Math.min(cooldownDuration, MAX_FAILED_FETCH_BACKOFF_MS);
  let lastFailureAt = Number.NEGATIVE_INFINITY;

  // jose already shares one in-flight request between concurrent lookups (its pendingFetch),
  // follows no redirects, and applies the timeout via an AbortSignal; we only add the backoff.
  const fetchWithBackoff = async (input: string, init: RequestInit): Promise<Response> => {
    if (Date.now() - lastFailureAt < failureBackoffMs) {
      throw new Error('JWKS fetch backing off after a recent failure');
    }
    try {
      const response = await fetch(input, init);
      if (response.status !== 200) lastFailureAt = Date.now();
      return response;
    } catch (err) {
      lastFailureAt = Date.now();
      throw err;
    }
  };

  const jwks = createRemoteJWKSet(url, {
    cooldownDuration,
    cacheMaxAge,
    timeoutDuration,
    [customFetch]: fetchWithBackoff,
  });

  const resolve = async (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => {
    checkHeader(header);
    try {
      return await jwks(header, token);
    } catch (err) {
      if (isKeySelectionError(err)) throw invalid('no matching key');
      // Network error, timeout, non-200, malformed JWKS: we cannot tell whether the token is
      // good, so the caller must answer "try later" (503), never "valid".
      throw new TokenVerificationError('DEPENDENCY_UNAVAILABLE', 'signing keys unavailable', { cause: err });
    }
  };
  // Once fetched, a key set is kept (and refreshed) by jose: only an empty start needs a fetch.
  const ensureKeys = async () => {
    if (jwks.jwks() === undefined) await jwks.reload();
  };
  return { resolve, ensureKeys };
}

export function createKeySource(options: KeysOptions): KeySource {
  return options.kind === 'local' ? createLocalResolver(options) : createRemoteResolver(options);
}
