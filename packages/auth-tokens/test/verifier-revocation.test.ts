import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerificationError, createRedisRevocationView, createTokenVerifier, publishRevocation } from '../src/index.js';
import type { RedisRevocationView, TokenVerifier } from '../src/index.js';
import { createClient, deleteKeysWithPrefix, openSession, startTcpProxy, uniquePrefix, waitFor } from './helpers/redis.js';
import type { TcpProxy } from './helpers/redis.js';
import { AUDIENCE, ISSUER, claims, makeKey, sign } from './helpers/tokens.js';
import type { TestKey } from './helpers/tokens.js';

const prefix = uniquePrefix('verifier');
const clients: Redis[] = [];
const views: RedisRevocationView[] = [];
const proxies: TcpProxy[] = [];
let key: TestKey;
let n = 0;

beforeAll(async () => {
  key = await makeKey('k1');
});

afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
});

function client(port?: number): Redis {
  const c = createClient(port === undefined ? { keyPrefix: prefix } : { keyPrefix: prefix, port });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

async function setup(port?: number): Promise<{ verifier: TokenVerifier; view: RedisRevocationView }> {
  const view = createRedisRevocationView({
    redis: client(port),
    subscriber: client(port),
    keyPrefix: prefix,
    confirmTimeoutMs: 300,
  });
  views.push(view);
  await view.start();
  const verifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { kind: 'local', jwks: { keys: [key.publicJwk] } },
    revocation: view,
  });
  return { verifier, view };
}

async function tokenFor(): Promise<{ token: string; sub: string; sid: string }> {
  n += 1;
  const sub = `user-${n}`;
  const sid = `sid-${n}`;
  await openSession(client(), sub, sid);
  return { token: await sign(key, { payload: claims({ sub, sid }) }), sub, sid };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    expect(err).toBeInstanceOf(TokenVerificationError);
    return (err as TokenVerificationError).code;
  }
}

describe('verifier with the Redis revocation view', () => {
  it('refuses a token within 1 s of publishRevocation on another connection', async () => {
    const { verifier, view } = await setup();
    const { token, sub, sid } = await tokenFor();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(view.stats().redisChecks).toBe(1);

    const started = performance.now();
    await publishRevocation(client(), prefix, { sub, sid, ttlSec: 900 });
    await waitFor(async () => (await codeOf(verifier.verify(token))) === 'TOKEN_REVOKED', 1_000, 'TOKEN_REVOKED');
    const latencyMs = performance.now() - started;
    expect(latencyMs).toBeLessThan(1_000);
    // The refusal came from a cache hit plus in-memory revocation: no signature, no Redis.
    expect(verifier.stats().verifications).toBe(1);
    expect(view.stats().redisChecks).toBe(1);
    // Another session of the same user is unaffected.
    await openSession(client(), sub, `${sid}-b`);
    const other = await sign(key, { payload: claims({ sub, sid: `${sid}-b` }) });
    await expect(verifier.verify(other)).resolves.toMatchObject({ sub });
  });

  it('answers DEPENDENCY_UNAVAILABLE for unconfirmed sessions while Redis is down, then recovers', async () => {
    const proxy = await startTcpProxy();
    proxies.push(proxy);
    const { verifier, view } = await setup(proxy.port);
    const { token } = await tokenFor();
    await verifier.verify(token);

    await proxy.stop();
    await waitFor(() => !view.stats().subscribed, 1_000, 'outage detection');
    const fresh = await tokenFor();
    expect(await codeOf(verifier.verify(fresh.token))).toBe('DEPENDENCY_UNAVAILABLE');
    expect(await codeOf(verifier.verify(token))).toBe('DEPENDENCY_UNAVAILABLE');

    await proxy.start();
    await waitFor(() => view.stats().subscribed, 3_000, 'recovery');
    await expect(verifier.verify(fresh.token)).resolves.toMatchObject({ sub: fresh.sub });
    await expect(verifier.verify(token)).resolves.toMatchObject({ iss: ISSUER });
  });

  it('refuses a session revoked during the outage once Redis is back', async () => {
    const proxy = await startTcpProxy();
    proxies.push(proxy);
    const { verifier, view } = await setup(proxy.port);
    const { token, sub, sid } = await tokenFor();
    await verifier.verify(token);

    await proxy.stop();
    await waitFor(() => !view.stats().subscribed, 1_000, 'outage detection');
    await publishRevocation(client(), prefix, { sub, sid, ttlSec: 900 }); // view cannot hear this
    await proxy.start();
    await waitFor(() => view.stats().subscribed, 3_000, 'recovery');
    expect(await codeOf(verifier.verify(token))).toBe('TOKEN_REVOKED');
  });
});
