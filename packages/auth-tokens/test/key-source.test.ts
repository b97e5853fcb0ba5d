import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/index.js';
import type { RemoteKeysOptions, TokenVerifier } from '../src/index.js';
import { expectRefused } from './helpers/expect-refused.js';
import { startJwksServer } from './helpers/jwks-server.js';
import type { JwksServer } from './helpers/jwks-server.js';
import { AUDIENCE, ISSUER, makeKey, sign } from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

// Each refusal is checked by its message too: the message says which guard fired, so a test
// cannot pass because some other, later check happened to refuse the same token.

let k1: TestKey;
let privateJwk: JWK;
const servers: JwksServer[] = [];
const sockets: Server[] = [];

beforeAll(async () => {
  k1 = await makeKey('k1');
  const pair = await generateKeyPair('EdDSA', { extractable: true });
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'leaked', alg: 'EdDSA', use: 'sig' };
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(sockets.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function local(keys: readonly JWK[]): TokenVerifier {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { kind: 'local', jwks: { keys } } });
}

function remote(url: string, options: Partial<RemoteKeysOptions> = {}): TokenVerifier {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { kind: 'remote', url, ...options } });
}

async function jwksServer(): Promise<JwksServer> {
  const s = await startJwksServer([k1.publicJwk]);
  servers.push(s);
  return s;
}

/** A TCP endpoint that accepts and immediately resets every connection: a network error, not an HTTP answer. */
async function resettingEndpoint(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sockets.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/jwks`, connections: () => connections };
}

/** Tokens signed with the REAL key whose header must still be refused. */
async function headerTricks(): Promise<{ token: string; message: string }[]> {
  const refs = 'token header references a key';
  const noKid = 'token has no key id';
  return [
    { token: await sign(k1, { header: { jku: 'https://evil.example/jwks' } }), message: refs },
    { token: await sign(k1, { header: { x5u: 'https://evil.example/cert' } }), message: refs },
    { token: await sign(k1, { header: { jwk: k1.publicJwk } }), message: refs },
    { token: await sign(k1, { header: { x5c: ['AAAA'] } }), message: refs },
    { token: await sign(k1, { header: { kid: undefined } }), message: noKid },
    { token: await sign(k1, { header: { kid: '' } }), message: noKid },
    { token: await sign(k1, { header: { kid: 7 } }), message: noKid },
  ];
}

describe('key-referencing headers and kid, on both key sources', () => {
  it('refuses them on the remote path even when the signature is genuine', async () => {
    const s = await jwksServer();
    const v = remote(s.url);
    // The same key without tricks is accepted, so each refusal below is the header check's.
    await expect(v.verify(await sign(k1))).resolves.toMatchObject({ sub: 'user-1' });
    for (const { token, message } of await headerTricks()) {
      const err = await expectRefused(v.verify(token), 'TOKEN_INVALID', token);
      expect(err.message).toBe(message);
    }
  });

  it('refuses them on the local path even when the signature is genuine', async () => {
    const v = local([k1.publicJwk]);
    await expect(v.verify(await sign(k1))).resolves.toMatchObject({ sub: 'user-1' });
    for (const { token, message } of await headerTricks()) {
      const err = await expectRefused(v.verify(token), 'TOKEN_INVALID', token);
      expect(err.message).toBe(message);
    }
  });

  it('says "no matching key" for an unknown kid on either path', async () => {
    const s = await jwksServer();
    const token = await sign(k1, { header: { kid: 'k9' } });
    expect((await expectRefused(local([k1.publicJwk]).verify(token), 'TOKEN_INVALID')).message).toBe('no matching key');
    expect((await expectRefused(remote(s.url).verify(token), 'TOKEN_INVALID')).message).toBe('no matching key');
  });

  it('says "unusable key" when a configured key cannot be imported', async () => {
    const broken = { ...k1.publicJwk, x: 'AAAA' };
    const err = await expectRefused(local([broken]).verify(await sign(k1)), 'TOKEN_INVALID');
    expect(err.message).toBe('unusable key');
  });
});

describe('local key set validation at start-up', () => {
  const build = (keys: readonly JWK[]) => () => local(keys);

  it('refuses a private Ed25519 key (a signing key leaked into a verifier)', () => {
    expect(build([privateJwk])).toThrow(new TypeError('keys.jwks must contain public keys only'));
    const { d: _d, ...publicPart } = privateJwk;
    expect(build([publicPart])).not.toThrow();
  });

  it('accepts only Ed25519 OKP keys with an x coordinate', () => {
    const only = 'keys.jwks may only contain Ed25519 (OKP) public keys';
    expect(build([{ ...k1.publicJwk, kty: 'EC' }])).toThrow(new TypeError(only));
    expect(build([{ ...k1.publicJwk, crv: 'X25519' }])).toThrow(new TypeError(only));
    expect(build([{ ...k1.publicJwk, x: undefined }])).toThrow(new TypeError(only));
  });

  it('checks alg and use only when present', () => {
    expect(build([{ ...k1.publicJwk, alg: 'RS256' }])).toThrow(new TypeError('keys.jwks key alg must be EdDSA'));
    expect(build([{ ...k1.publicJwk, use: 'enc' }])).toThrow(new TypeError('keys.jwks key use must be sig'));
    expect(build([{ ...k1.publicJwk, alg: undefined, use: undefined }])).not.toThrow();
  });

  it('requires a unique, non-empty kid on every key and at least one key', () => {
    expect(build([{ ...k1.publicJwk, kid: '' }])).toThrow(new TypeError('keys.jwks keys need a kid'));
    expect(build([{ ...k1.publicJwk, kid: undefined }])).toThrow(new TypeError('keys.jwks keys need a kid'));
    expect(build([k1.publicJwk, { ...k1.publicJwk }])).toThrow(new TypeError('keys.jwks kids must be unique'));
    expect(build([])).toThrow(new TypeError('keys.jwks.keys must not be empty'));
  });
});

describe('remote key source options', () => {
  it('refuses negative or non-finite durations, naming the option, and accepts zero', () => {
    for (const name of ['cooldownMs', 'cacheMaxAgeMs', 'timeoutMs'] as const) {
      const error = new TypeError(`keys.${name} must be a non-negative number`);
      expect(() => remote('https://auth-service/jwks', { [name]: -1 })).toThrow(error);
      expect(() => remote('https://auth-service/jwks', { [name]: Number.NaN })).toThrow(error);
      expect(() => remote('https://auth-service/jwks', { [name]: Number.POSITIVE_INFINITY })).toThrow(error);
      expect(() => remote('https://auth-service/jwks', { [name]: 0 })).not.toThrow();
    }
  });

  it('allows plain http only on loopback or when explicitly allowed', () => {
    const error = new TypeError('keys.url must be https (http only for loopback or with allowInsecureHttp)');
    expect(() => remote('http://auth-service/jwks')).toThrow(error);
    expect(() => remote('http://auth-service/jwks', { allowInsecureHttp: false })).toThrow(error);
    expect(() => remote('ftp://127.0.0.1/jwks', { allowInsecureHttp: true })).toThrow(error);
    for (const host of ['localhost', '127.0.0.1', '[::1]']) expect(() => remote(`http://${host}/jwks`)).not.toThrow();
  });
});

describe('key fetch backoff', () => {
  it('backs off after a network error, not only after a non-200 answer', async () => {
    const endpoint = await resettingEndpoint();
    const v = remote(endpoint.url, { cooldownMs: 60_000 });
    const burst = await Promise.all(Array.from({ length: 10 }, () => sign(k1)));
    const first = await expectRefused(v.verify(await sign(k1)), 'DEPENDENCY_UNAVAILABLE');
    expect(first.message).toBe('signing keys unavailable');
    expect(first.cause).toBeInstanceOf(Error);
    expect(endpoint.connections()).toBe(1);
    // Within the backoff window nothing reaches the endpoint; the cause says why.
    for (const token of burst) {
      const err = await expectRefused(v.verify(token), 'DEPENDENCY_UNAVAILABLE');
      expect(err.cause).toMatchObject({ message: 'JWKS fetch backing off after a recent failure' });
    }
    expect(endpoint.connections()).toBe(1);
  });
});
