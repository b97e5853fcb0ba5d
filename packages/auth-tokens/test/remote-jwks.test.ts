import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerificationError, createTokenVerifier } from '../src/index.js';
import type { RemoteKeysOptions, TokenVerifier } from '../src/index.js';
import { closedPort, startJwksServer } from './helpers/jwks-server.js';
import type { JwksServer } from './helpers/jwks-server.js';
import { AUDIENCE, ISSUER, makeKey, sign } from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

let k1: TestKey;
let k2: TestKey;
let attacker: TestKey;
const servers: JwksServer[] = [];

beforeAll(async () => {
  k1 = await makeKey('k1');
  k2 = await makeKey('k2');
  attacker = await makeKey('attacker');
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(keys = [k1.publicJwk]): Promise<JwksServer> {
  const s = await startJwksServer(keys);
  servers.push(s);
  return s;
}

function remote(url: string, options: Partial<RemoteKeysOptions> = {}): TokenVerifier {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { kind: 'remote', url, ...options } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    expect(err).toBeInstanceOf(TokenVerificationError);
    return (err as TokenVerificationError).code;
  }
}

describe('remote JWKS', () => {
  it('shares one in-flight fetch between concurrent cold lookups', async () => {
    const s = await server();
    s.setDelay(150);
    const v = remote(s.url);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => sign(k1)));
    const results = await Promise.all(tokens.map((t) => v.verify(t)));
    expect(results).toHaveLength(50);
    expect(s.fetches).toBe(1);
  });

  it('picks up a rotated-in key with exactly one refetch once the cooldown allows', async () => {
    const s = await server();
    const v = remote(s.url, { cooldownMs: 300 });
    await v.verify(await sign(k1));
    expect(s.fetches).toBe(1);

    s.setKeys([k1.publicJwk, k2.publicJwk]);
    // Inside the cooldown an unknown kid is refused without touching the endpoint.
    expect(await codeOf(v.verify(await sign(k2)))).toBe('TOKEN_INVALID');
    expect(s.fetches).toBe(1);

    await sleep(350);
    await expect(v.verify(await sign(k2))).resolves.toMatchObject({ sub: 'user-1' });
    expect(s.fetches).toBe(2);
    await v.verify(await sign(k2));
    await v.verify(await sign(k1));
    expect(s.fetches).toBe(2);
  });

  it('limits a flood of forged kids to one fetch per cooldown', async () => {
    const s = await server();
    const cooldownMs = 500;
    const v = remote(s.url, { cooldownMs });
    await v.verify(await sign(k1));

    const forged = async () => sign({ ...attacker, kid: randomUUID() });
    // Signed up front, and the bound scales with the time the burst really took: on a loaded
    // machine the burst may outlast a cooldown, which rightly allows one more fetch per cooldown.
    const concurrent = await Promise.all(Array.from({ length: 200 }, forged));
    const sequential = await Promise.all(Array.from({ length: 200 }, forged));
    await sleep(cooldownMs + 50);
    const before = s.fetches;
    const started = Date.now();
    const codes = await Promise.all(concurrent.map((t) => codeOf(v.verify(t))));
    expect(new Set(codes)).toEqual(new Set(['TOKEN_INVALID']));
    for (const token of sequential) expect(await codeOf(v.verify(token))).toBe('TOKEN_INVALID');
    const allowed = 1 + Math.floor((Date.now() - started) / cooldownMs);
    expect(s.fetches - before).toBeGreaterThanOrEqual(1);
    expect(s.fetches - before).toBeLessThanOrEqual(allowed);
    // Genuine tokens kept working throughout.
    await expect(v.verify(await sign(k1))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('re-fetches keys older than cacheMaxAgeMs', async () => {
    const s = await server();
    const v = remote(s.url, { cacheMaxAgeMs: 200, cooldownMs: 100 });
    await v.verify(await sign(k1));
    await sleep(250);
    await v.verify(await sign(k1));
    expect(s.fetches).toBe(2);
  });

  it('answers DEPENDENCY_UNAVAILABLE when no key is cached and the endpoint is down', async () => {
    const port = await closedPort();
    const v = remote(`http://127.0.0.1:${port}/jwks`);
    expect(await codeOf(v.verify(await sign(k1)))).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it('answers DEPENDENCY_UNAVAILABLE on a non-200 answer, then recovers', async () => {
    const s = await server();
    s.setMode('error');
    // The backoff after a failure is min(cooldown, 1 s); the full second keeps the burst below
    // inside it even on a loaded machine.
    const v = remote(s.url, { cooldownMs: 1_000 });
    const burst = await Promise.all(Array.from({ length: 30 }, () => sign(k1)));
    expect(await codeOf(v.verify(await sign(k1)))).toBe('DEPENDENCY_UNAVAILABLE');
    // Failed fetches are backed off too: a burst right after a failure does not hit the endpoint.
    for (const token of burst) expect(await codeOf(v.verify(token))).toBe('DEPENDENCY_UNAVAILABLE');
    expect(s.fetches).toBe(1);
    s.setMode('ok');
    await sleep(1_050);
    await expect(v.verify(await sign(k1))).resolves.toMatchObject({ sub: 'user-1' });
    expect(s.fetches).toBe(2);
  });

  it('gives up on a hanging endpoint after timeoutMs', async () => {
    const s = await server();
    s.setMode('hang');
    const v = remote(s.url, { timeoutMs: 200 });
    const started = Date.now();
    expect(await codeOf(v.verify(await sign(k1)))).toBe('DEPENDENCY_UNAVAILABLE');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('never follows jku or uses an embedded jwk', async () => {
    const s = await server();
    const evil = await server([{ ...attacker.publicJwk, kid: 'k1' }]);
    const v = remote(s.url);
    const forgedKey = { ...attacker, kid: 'k1' };
    const viaJku = await sign(forgedKey, { header: { jku: evil.url } });
    const viaX5u = await sign(forgedKey, { header: { x5u: evil.url } });
    const viaJwk = await sign(forgedKey, { header: { jwk: { ...attacker.publicJwk, kid: 'k1' } } });
    for (const token of [viaJku, viaX5u, viaJwk]) expect(await codeOf(v.verify(token))).toBe('TOKEN_INVALID');
    expect(evil.fetches).toBe(0);
    // And the same forged key without any header trick is refused by signature.
    expect(await codeOf(v.verify(await sign(forgedKey)))).toBe('TOKEN_INVALID');
  });

  it('refuses plain-http JWKS URLs off loopback unless explicitly allowed', () => {
    expect(() => remote('http://auth-service:3000/jwks')).toThrow(TypeError);
    expect(() => remote('ftp://auth-service/jwks')).toThrow(TypeError);
    expect(() => remote('http://auth-service:3000/jwks', { allowInsecureHttp: true })).not.toThrow();
    expect(() => remote('https://auth-service/jwks')).not.toThrow();
    expect(() => remote('https://auth-service/jwks', { cooldownMs: -1 })).toThrow(TypeError);
  });
});
