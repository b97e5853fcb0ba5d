import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RevocationUnavailableError, createRedisRevocationView } from '../src/index.js';
import type { RedisRevocationView, RedisRevocationViewOptions } from '../src/index.js';
import { createClient, deleteKeysWithPrefix, openSession, startTcpProxy, uniquePrefix, waitFor } from './helpers/redis.js';
import type { TcpProxy } from './helpers/redis.js';
import { nowSec } from './helpers/tokens.js';

// Guards of the revocation view that the behavioural suite does not reach on its own: each
// test here fails if the named guard is removed (they were found by mutation testing).

const prefix = uniquePrefix('view-guards');
const clients: Redis[] = [];
const views: RedisRevocationView[] = [];
const proxies: TcpProxy[] = [];
let counter = 0;

function client(options: Parameters<typeof createClient>[0] = {}): Redis {
  const c = createClient({ keyPrefix: prefix, ...options });
  c.on('error', () => undefined); // outages are provoked on purpose below
  clients.push(c);
  return c;
}

function view(overrides: Partial<RedisRevocationViewOptions> = {}): RedisRevocationView {
  const v = createRedisRevocationView({ redis: client(), subscriber: client(), keyPrefix: prefix, ...overrides });
  views.push(v);
  return v;
}

function session(exp = nowSec() + 900): { sub: string; sid: string; exp: number } {
  counter += 1;
  return { sub: `guard-user-${counter}`, sid: `guard-sid-${counter}`, exp };
}

/** Publish a revocation message only (no key): what the view hears, independent of Redis state. */
async function announce(s: { sub: string; sid: string }, exp: number): Promise<void> {
  await client({ keyPrefix: '' }).publish(`${prefix}revocations`, JSON.stringify({ sub: s.sub, sid: s.sid, exp }));
}

async function proxy(): Promise<TcpProxy> {
  const p = await startTcpProxy();
  proxies.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
});

describe('revocation view guards', () => {
  it('a revocation heard while the EXISTS is in flight wins over its "absent" answer', async () => {
    const stalled = await proxy();
    const v = view({ redis: client({ port: stalled.port }), confirmTimeoutMs: 5_000 });
    await v.start();
    const s = session();
    stalled.pause();
    const answer = v.isRevoked(s);
    await waitFor(() => v.stats().redisChecks === 1, 1_000, 'EXISTS sent');
    await announce(s, s.exp);
    await waitFor(() => v.stats().revokedInMemory === 1, 1_000, 'revocation message');
    stalled.resume();
    expect(await answer).toBe(true);
    // And nothing was remembered as confirmed: the next call still says revoked.
    expect(v.stats().confirmedSessions).toBe(0);
    expect(await v.isRevoked(s)).toBe(true);
  });

  it('fails fast, without sending a command, while the command connection reconnects', async () => {
    const cut = await proxy();
    const redis = client({ port: cut.port });
    const v = view({ redis, confirmTimeoutMs: 5_000 });
    await v.start();
    const live = session();
    await openSession(client(), live.sub, live.sid);
    expect(await v.isRevoked(live)).toBe(false);
    await cut.stop();
    await waitFor(() => redis.status === 'reconnecting', 2_000, 'reconnecting');
    await expect(v.isRevoked(session())).rejects.toBeInstanceOf(RevocationUnavailableError);
    expect(v.stats().redisChecks).toBe(1);
  });

  it('fails fast, without sending a command, once the command connection has ended', async () => {
    const redis = client();
    const v = view({ redis });
    await v.start();
    await redis.quit();
    await waitFor(() => redis.status === 'end', 2_000, 'end');
    await expect(v.isRevoked(session())).rejects.toBeInstanceOf(RevocationUnavailableError);
    expect(v.stats().redisChecks).toBe(0);
  });

  it('keeps a revocation for a grace minute past its exp (clock skew between hosts)', async () => {
    const v = view();
    await v.start();
    const recent = session();
    const old = session();
    // The session itself is alive in Redis: only a revocation remembered in memory refuses it.
    await openSession(client(), old.sub, old.sid);
    // In this order: once the second message is in memory, the first was handled (and swept).
    await announce(old, nowSec() - 120);
    await announce(recent, nowSec() - 30);
    await waitFor(() => v.stats().revokedInMemory === 1, 1_000, 'messages');
    // No revoked marker exists for either: only memory, within the grace, can say "revoked";
    // past it the entry is swept and Redis (session alive, no marker) answers "not revoked".
    expect(await v.isRevoked(recent)).toBe(true);
    expect(v.stats().redisChecks).toBe(0);
    expect(await v.isRevoked(old)).toBe(false);
    expect(v.stats().redisChecks).toBe(1);
  });

  it('the health check subscribes a view whose first subscribe failed', async () => {
    // No offline queue: SUBSCRIBE before the connection is ready fails at once, and no
    // close/ready cycle follows that would resubscribe; only the health check can recover.
    const subscriber = client({ enableOfflineQueue: false });
    const v = view({ subscriber, healthCheckIntervalMs: 50 });
    await expect(v.start()).rejects.toThrow();
    expect(v.stats().subscribed).toBe(false);
    await waitFor(() => v.stats().subscribed, 3_000, 'health-check subscribe');
    expect(v.stats().epoch).toBe(1);
    const s = session();
    await announce(s, s.exp);
    await waitFor(() => v.stats().revokedInMemory === 1, 1_000, 'message on the new subscription');
  });
});
