import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/index.js';
import type { RevocationChecker, TokenVerifier, TokenVerifierOptions } from '../src/index.js';
import { expectRefused } from './helpers/expect-refused.js';
import { AUDIENCE, ISSUER, claims, decodeSegment, makeKey, nowSec, sign, splitToken } from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

let key: TestKey;
let attacker: TestKey;

beforeAll(async () => {
  key = await makeKey('k1');
  attacker = await makeKey('k1');
});

function verifier(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { kind: 'local', jwks: { keys: [key.publicJwk] } },
    ...overrides,
  });
}

describe('verified-token cache', () => {
  it('answers repeat calls from the cache without re-verifying the signature', async () => {
    const v = verifier();
    const token = await sign(key);
    const first = await v.verify(token);
    for (let i = 0; i < 5; i += 1) expect(await v.verify(token)).toBe(first);
    expect(v.stats()).toEqual({ verifications: 1, cacheHits: 5, cacheEntries: 1 });
  });

  it('verifies every call when the cache is disabled', async () => {
    const v = verifier({ cacheMaxEntries: 0 });
    const token = await sign(key);
    await v.verify(token);
    await v.verify(token);
    expect(v.stats()).toMatchObject({ verifications: 2, cacheHits: 0 });
  });

  it('never serves a cached token past its exp', async () => {
    const v = verifier({ clockToleranceSec: 0 });
    const token = await sign(key, { payload: claims({ exp: nowSec() + 1 }) });
    await v.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expectRefused(v.verify(token), 'TOKEN_EXPIRED');
    expect(v.stats().cacheHits).toBe(0);
  });

  it('keeps the cache bounded', async () => {
    const v = verifier({ cacheMaxEntries: 3 });
    for (let i = 0; i < 10; i += 1) await v.verify(await sign(key));
    expect(v.stats().cacheEntries).toBe(3);
  });
});

describe('revocation', () => {
  it('checks revocation on every call, including cache hits', async () => {
    let revoked = false;
    const calls: unknown[] = [];
    const revocation: RevocationChecker = {
      isRevoked: async (c) => {
        calls.push(c);
        return revoked;
      },
    };
    const v = verifier({ revocation });
    const token = await sign(key);
    await v.verify(token);
    revoked = true;
    await expectRefused(v.verify(token), 'TOKEN_REVOKED', token);
    expect(v.stats()).toMatchObject({ verifications: 1, cacheHits: 1 });
    expect(calls).toHaveLength(2);
    const { exp, iat } = decodeSegment(splitToken(token)[1]);
    expect(calls[0]).toEqual({ sub: 'user-1', sid: 'session-1', exp, iat });
  });

  it('fails closed with DEPENDENCY_UNAVAILABLE when the checker cannot answer', async () => {
    const revocation: RevocationChecker = {
      isRevoked: async () => {
        throw new Error('redis down');
      },
    };
    await expectRefused(verifier({ revocation }).verify(await sign(key)), 'DEPENDENCY_UNAVAILABLE');
  });

  it('does not consult revocation for tokens that fail verification', async () => {
    let calls = 0;
    const revocation: RevocationChecker = {
      isRevoked: async () => {
        calls += 1;
        return false;
      },
    };
    await expectRefused(verifier({ revocation }).verify(await sign(attacker)), 'TOKEN_INVALID');
    expect(calls).toBe(0);
  });
});
