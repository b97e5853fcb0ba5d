import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifier, TokenVerifierOptions } from '../src/index.js';
import { expectRefused } from './helpers/expect-refused.js';
import { AUDIENCE, ISSUER, claims, makeKey, sign } from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

const MAX_TOKEN_LENGTH = 8_192;

let key: TestKey;

beforeAll(async () => {
  key = await makeKey('k1');
});

function verifier(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { kind: 'local', jwks: { keys: [key.publicJwk] } },
    ...overrides,
  });
}

/** A genuinely signed, otherwise valid token of exactly `length` characters (padded by ignored fields). */
async function tokenOfLength(length: number): Promise<string> {
  // base64url output never has a length of 4k+1, so the header is varied as well as the payload.
  for (const cty of ['', 'x', 'xx', 'xxx']) {
    const header = cty === '' ? {} : { cty };
    const base = (await sign(key, { header, payload: claims({ jti: 'jti-fixed', pad: '' }) })).length;
    for (let pad = Math.max(0, Math.floor(((length - base) * 3) / 4) - 4); pad < length; pad += 1) {
      const token = await sign(key, { header, payload: claims({ jti: 'jti-fixed', pad: 'p'.repeat(pad) }) });
      if (token.length === length) return token;
      if (token.length > length) break;
    }
  }
  throw new Error(`could not build a token of length ${length}`);
}

describe('token length guard', () => {
  it('refuses a genuine token over the bound without parsing it, and accepts one at the bound', async () => {
    const v = verifier();
    const atBound = await tokenOfLength(MAX_TOKEN_LENGTH);
    await expect(v.verify(atBound)).resolves.toMatchObject({ sub: 'user-1' });
    expect(v.stats().verifications).toBe(1);

    const over = await sign(key, { payload: claims({ pad: 'p'.repeat(MAX_TOKEN_LENGTH) }) });
    const err = await expectRefused(v.verify(over), 'TOKEN_INVALID', over);
    expect(err.message).toBe('token invalid');
    // Refused before the signature check: no verification was counted.
    expect(v.stats().verifications).toBe(1);
  });

  it('refuses an empty token before any work', async () => {
    const v = verifier();
    const err = await expectRefused(v.verify(''), 'TOKEN_INVALID');
    expect(err.cause).toBeUndefined();
  });
});

describe('configuration', () => {
  it('refuses an empty issuer or audience by name', () => {
    const keys = { kind: 'local', jwks: { keys: [] } } as const;
    expect(() => createTokenVerifier({ issuer: '', audience: AUDIENCE, keys })).toThrow(
      new TypeError('issuer must be a non-empty string'),
    );
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: '', keys })).toThrow(
      new TypeError('audience must be a non-empty string'),
    );
  });

  it('bounds clock tolerance and cache size', () => {
    const tolerance = new TypeError('clockToleranceSec must be a non-negative number');
    expect(() => verifier({ clockToleranceSec: -1 })).toThrow(tolerance);
    expect(() => verifier({ clockToleranceSec: Number.NaN })).toThrow(tolerance);
    expect(() => verifier({ clockToleranceSec: 0 })).not.toThrow();
    const size = new TypeError('cacheMaxEntries must be a non-negative integer');
    expect(() => verifier({ cacheMaxEntries: -1 })).toThrow(size);
    expect(() => verifier({ cacheMaxEntries: 1.5 })).toThrow(size);
    expect(() => verifier({ cacheMaxEntries: 0 })).not.toThrow();
  });

  it('defaults to a 5 s clock tolerance', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const v = verifier({ cacheMaxEntries: 0 });
    await expect(v.verify(await sign(key, { payload: claims({ exp: nowSec - 3 }) }))).resolves.toMatchObject({
      sub: 'user-1',
    });
    await expectRefused(v.verify(await sign(key, { payload: claims({ exp: nowSec - 8 }) })), 'TOKEN_EXPIRED');
  });
});

describe('what a refusal says', () => {
  it('names expiry, invalidity (with the cause kept for the server), revocation and an unavailable store', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(key, { payload: claims({ iat: now - 1000, exp: now - 600 }) });
    const err = await expectRefused(verifier().verify(expired), 'TOKEN_EXPIRED', expired);
    expect(err.message).toBe('token expired');
    const forged = `${(await sign(key)).slice(0, -4)}AAAA`;
    const invalid = await expectRefused(verifier().verify(forged), 'TOKEN_INVALID', forged);
    expect(invalid.message).toBe('token invalid');
    expect(invalid.cause).toBeInstanceOf(Error);

    const token = await sign(key);
    const revoked = await expectRefused(verifier({ revocation: { isRevoked: async () => true } }).verify(token), 'TOKEN_REVOKED');
    expect(revoked.message).toBe('token revoked');
    const outage = new Error('redis down');
    const unavailable = verifier({
      revocation: {
        isRevoked: async () => {
          throw outage;
        },
      },
    });
    const down = await expectRefused(unavailable.verify(token), 'DEPENDENCY_UNAVAILABLE');
    expect(down.message).toBe('revocation state unavailable');
    expect(down.cause).toBe(outage);
  });

  it('accepts a zero iat skew and refuses a negative one by name', () => {
    expect(() => verifier({ maxIatSkewSec: 0 })).not.toThrow();
    expect(() => verifier({ maxIatSkewSec: -1 })).toThrow('maxIatSkewSec must be a non-negative number');
  });
});
