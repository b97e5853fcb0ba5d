import { SignJWT, base64url, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifier, TokenVerifierOptions } from '../src/index.js';
import { expectRefused } from './helpers/expect-refused.js';
import {
  AUDIENCE,
  ISSUER,
  claims,
  decodeSegment,
  makeKey,
  nowSec,
  rawToken,
  sign,
  splitToken,
} from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

let key: TestKey;
let otherKey: TestKey;
let attacker: TestKey;

beforeAll(async () => {
  key = await makeKey('k1');
  otherKey = await makeKey('k2');
  attacker = await makeKey('k1'); // same kid as the real key, different key material
});

function verifier(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { kind: 'local', jwks: { keys: [key.publicJwk, otherKey.publicJwk] } },
    ...overrides,
  });
}

describe('valid tokens', () => {
  it('returns exactly the typed claims', async () => {
    const payload = claims({ extra: 'dropped' });
    const result = await verifier().verify(await sign(key, { payload }));
    expect(result).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-1',
      client_id: 'authmeet-web',
      sid: 'session-1',
      jti: payload.jti,
      iat: payload.iat,
      exp: payload.exp,
      email: 'ada@example.com',
      username: 'ada',
      amr: ['pwd'],
      acr: 'aal1',
      auth_time: payload.iat,
      roles: [],
    });
    expect(Object.isFrozen(result)).toBe(true);
  });

  it('verifies with any configured key chosen by kid', async () => {
    await expect(verifier().verify(await sign(otherKey))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('accepts the RFC 9068 long form typ application/at+jwt', async () => {
    const token = await sign(key, { header: { typ: 'application/at+jwt' } });
    await expect(verifier().verify(token)).resolves.toMatchObject({ sub: 'user-1' });
  });
});

describe('algorithm rules', () => {
  it('refuses alg none', async () => {
    const token = rawToken({ alg: 'none', kid: 'k1', typ: 'at+jwt' }, claims());
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses HS256 signed with the public key (raw bytes) as HMAC secret', async () => {
    const secret = base64url.decode(String(key.publicJwk.x));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' }).sign(secret);
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses HS256 signed with the public JWK JSON as HMAC secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' }).sign(secret);
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses other asymmetric algorithms (ES256) even with a known kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }).sign(privateKey);
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses the fully-specified Ed25519 alg name: only EdDSA is pinned', async () => {
    const token = await sign(key, { header: { alg: 'Ed25519' } });
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses a configuration with non-Ed25519 or private keys', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const { exportJWK } = await import('jose');
    const ec = { ...(await exportJWK(publicKey)), kid: 'ec' };
    const priv = { ...(await exportJWK(privateKey)), kid: 'p' };
    const build = (keys: object[]) => () =>
      createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { kind: 'local', jwks: { keys } } });
    expect(build([ec])).toThrow(TypeError);
    expect(build([priv])).toThrow(TypeError);
    expect(build([{ ...key.publicJwk, kid: undefined }])).toThrow(TypeError);
    expect(build([key.publicJwk, { ...otherKey.publicJwk, kid: 'k1' }])).toThrow(TypeError);
    expect(build([])).toThrow(TypeError);
  });
});

describe('key selection rules', () => {
  it('requires a kid even when only one key is configured', async () => {
    const token = await sign(key, { header: { kid: undefined } });
    const single = verifier({ keys: { kind: 'local', jwks: { keys: [key.publicJwk] } } });
    await expectRefused(single.verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses an unknown kid', async () => {
    const token = await sign(key, { header: { kid: 'k9' } });
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const token = await sign(attacker);
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
  });

  it('refuses a token carrying its own matching jwk header', async () => {
    const token = await sign(attacker, { header: { jwk: attacker.publicJwk } });
    await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
    // Also with a kid that is not configured at all: the embedded key is never used.
    const unknownKid = await sign(attacker, { header: { kid: 'evil', jwk: { ...attacker.publicJwk, kid: 'evil' } } });
    await expectRefused(verifier().verify(unknownKid), 'TOKEN_INVALID', unknownKid);
  });

  it('refuses jku, x5u and x5c headers', async () => {
    for (const header of [{ jku: 'https://evil.example/jwks' }, { x5u: 'https://evil.example/cert' }, { x5c: ['AAAA'] }]) {
      const token = await sign(key, { header });
      await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
    }
  });
});

describe('header and claim rules', () => {
  it('requires typ at+jwt', async () => {
    for (const typ of [undefined, 'JWT', 'at+jwt2', 'application/jwt']) {
      const token = await sign(key, { header: { typ } });
      await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
    }
  });

  it('requires iss to match exactly', async () => {
    for (const iss of [`${ISSUER}/`, ISSUER.toUpperCase(), 'https://evil.example', undefined]) {
      const payload = iss === undefined ? claims({}, ['iss']) : claims({ iss });
      await expectRefused(verifier().verify(await sign(key, { payload })), 'TOKEN_INVALID');
    }
  });

  it('requires aud to be exactly our audience (no arrays, no case folding)', async () => {
    for (const aud of ['Meetings-Service', 'meetings', [AUDIENCE, 'billing'], [AUDIENCE]]) {
      await expectRefused(verifier().verify(await sign(key, { payload: claims({ aud }) })), 'TOKEN_INVALID');
    }
    await expectRefused(verifier().verify(await sign(key, { payload: claims({}, ['aud']) })), 'TOKEN_INVALID');
  });

  it('requires exp', async () => {
    await expectRefused(verifier().verify(await sign(key, { payload: claims({}, ['exp']) })), 'TOKEN_INVALID');
  });

  it('refuses an expired token with TOKEN_EXPIRED, honouring the clock tolerance', async () => {
    const expired = await sign(key, { payload: claims({ exp: nowSec() - 10 }) });
    await expectRefused(verifier().verify(expired), 'TOKEN_EXPIRED', expired);
    const withinTolerance = await sign(key, { payload: claims({ exp: nowSec() - 2 }) });
    await expect(verifier().verify(withinTolerance)).resolves.toMatchObject({ sub: 'user-1' });
    await expectRefused(verifier({ clockToleranceSec: 0 }).verify(withinTolerance), 'TOKEN_EXPIRED');
  });

  it('refuses nbf in the future (beyond tolerance)', async () => {
    const future = await sign(key, { payload: claims({ nbf: nowSec() + 60 }) });
    await expectRefused(verifier().verify(future), 'TOKEN_INVALID', future);
    const near = await sign(key, { payload: claims({ nbf: nowSec() + 2 }) });
    await expect(verifier().verify(near)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each(['sub', 'sid', 'jti'])('requires %s to be a non-empty, key-safe string', async (name) => {
    for (const value of [undefined, 42, '', 'a}b', 'a\nb', 'x'.repeat(257)]) {
      const payload = value === undefined ? claims({}, [name]) : claims({ [name]: value });
      await expectRefused(verifier().verify(await sign(key, { payload })), 'TOKEN_INVALID');
    }
  });

  it.each(['email', 'username', 'iat'])('requires %s', async (name) => {
    await expectRefused(verifier().verify(await sign(key, { payload: claims({}, [name]) })), 'TOKEN_INVALID');
    await expectRefused(verifier().verify(await sign(key, { payload: claims({ [name]: ['x'] }) })), 'TOKEN_INVALID');
  });

  it('refuses a tampered payload or header', async () => {
    const token = await sign(key);
    const [h, p, s] = splitToken(token);
    const payload = { ...decodeSegment(p), sub: 'admin' };
    const tampered = `${h}.${base64url.encode(JSON.stringify(payload))}.${s}`;
    await expectRefused(verifier().verify(tampered), 'TOKEN_INVALID', tampered);
    const header = { ...decodeSegment(h), kid: 'k2' };
    const reheadered = `${base64url.encode(JSON.stringify(header))}.${p}.${s}`;
    await expectRefused(verifier().verify(reheadered), 'TOKEN_INVALID', reheadered);
    const resigned = `${h}.${p}.${s.slice(0, -4)}AAAA`;
    await expectRefused(verifier().verify(resigned), 'TOKEN_INVALID');
  });

  it('refuses malformed input without echoing it', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d', '...', `${'x'.repeat(9000)}.y.z`]) {
      await expectRefused(verifier().verify(token), 'TOKEN_INVALID', token);
    }
  });
});

describe('options', () => {
  it('validates its configuration', () => {
    const keys = { kind: 'local', jwks: { keys: [] as object[] } } as const;
    expect(() => createTokenVerifier({ issuer: '', audience: AUDIENCE, keys })).toThrow(TypeError);
    expect(() => verifier({ clockToleranceSec: -1 })).toThrow(TypeError);
    expect(() => verifier({ cacheMaxEntries: 1.5 })).toThrow(TypeError);
  });
});
