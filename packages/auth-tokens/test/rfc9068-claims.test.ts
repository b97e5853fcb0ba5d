import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifierOptions } from '../src/index.js';
import { expectRefused } from './helpers/expect-refused.js';
import { AUDIENCE, ISSUER, claims, makeKey, nowSec, sign } from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

/**
 * RFC 9068 access tokens: `client_id` is required (a third-party validator refuses tokens
 * without it, so ours must too), and a token issued in the future, beyond a small clock skew,
 * is refused: a signer with a wrong clock or a token minted ahead of time is not accepted.
 */
let key: TestKey;

beforeAll(async () => {
  key = await makeKey('k1');
});

const verifier = (overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { kind: 'local', jwks: { keys: [key.publicJwk] } }, ...overrides });

describe('client_id', () => {
  it('is returned with the claims', async () => {
    const result = await verifier().verify(await sign(key, { payload: claims({ client_id: 'authmeet-web' }) }));
    expect(result.client_id).toBe('authmeet-web');
  });

  it('is required', async () => {
    await expectRefused(verifier().verify(await sign(key, { payload: claims({}, ['client_id']) })), 'TOKEN_INVALID');
  });

  it.each([[''], [42], [['a', 'b']]])('must be a non-empty string, not %j', async (value) => {
    await expectRefused(verifier().verify(await sign(key, { payload: claims({ client_id: value }) })), 'TOKEN_INVALID');
  });
});

describe('iat in the future', () => {
  it('beyond the default 60 s skew: refused', async () => {
    await expectRefused(verifier().verify(await sign(key, { payload: claims({ iat: nowSec() + 120 }) })), 'TOKEN_INVALID');
  });

  it('within the skew: accepted (clocks of two machines differ a little)', async () => {
    const result = await verifier().verify(await sign(key, { payload: claims({ iat: nowSec() + 30 }) }));
    expect(result.iat).toBeGreaterThan(nowSec());
  });

  it('the skew is configurable', async () => {
    const token = await sign(key, { payload: claims({ iat: nowSec() + 30 }) });
    await expectRefused(verifier({ maxIatSkewSec: 10 }).verify(token), 'TOKEN_INVALID');
    expect((await verifier({ maxIatSkewSec: 300 }).verify(await sign(key, { payload: claims({ iat: nowSec() + 120 }) }))).sub).toBe('user-1');
    expect(() => verifier({ maxIatSkewSec: -1 })).toThrow(TypeError);
  });

  it('is refused even when the same token was accepted before from the cache', async () => {
    const v = verifier();
    const token = await sign(key, { payload: claims({ iat: nowSec() + 120 }) });
    await expectRefused(v.verify(token), 'TOKEN_INVALID');
    await expectRefused(v.verify(token), 'TOKEN_INVALID');
    expect(v.stats().cacheEntries).toBe(0);
  });
});
