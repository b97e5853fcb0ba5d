import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { RevocationUnavailableError, createRedisRevocationView, revocationChannelFor, userNotBeforeKey } from '../src/index.js';
import type { RedisRevocationView, RedisRevocationViewOptions, RevocationClaims, RevocationLogger } from '../src/index.js';
import {
  REDIS_HOST,
  REDIS_PORT,
  createClient,
  deleteKeysWithPrefix,
  openSession,
  startTcpProxy,
  uniquePrefix,
  waitFor,
} from './helpers/redis.js';
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

/** A started view and a session that is alive in Redis. */
async function startedWithLiveSession(
  overrides: Partial<RedisRevocationViewOptions> = {},
): Promise<{ v: RedisRevocationView; s: ReturnType<typeof session> }> {
  const v = view(overrides);
  await v.start();
  const s = session();
  await openSession(client(), s.sub, s.sid);
  return { v, s };
}

/** Publish a user's not-before marker message only (no key). */
async function announceNotBefore(sub: string, nbf: number, exp: number): Promise<void> {
  await client({ keyPrefix: '' }).publish(`${prefix}revocations`, JSON.stringify({ sub, nbf, exp }));
}

/** Messages arrive in order: once this one is in memory, every message published before it was handled. */
async function barrier(v: RedisRevocationView): Promise<void> {
  const before = v.stats().revokedInMemory;
  const marker = session();
  await announce(marker, marker.exp);
  await waitFor(() => v.stats().revokedInMemory > before, 1_000, 'barrier message');
}

/** Runs `fn` with the clock (Date.now) stopped half-way through second `sec`; Redis and timers run on. */
async function atSecond<T>(sec: number, fn: () => Promise<T>): Promise<T> {
  const clock = vi.spyOn(Date, 'now').mockReturnValue(sec * 1000 + 500);
  try {
    return await fn();
  } finally {
    clock.mockRestore();
  }
}

interface LogLine {
  readonly level: 'warn' | 'info';
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

function recordingLogger(): { logger: RevocationLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    logger: {
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    },
  };
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
    // The session is alive and unmarked in Redis: only the message can make the answer "revoked".
    const { v, s } = await startedWithLiveSession({ redis: client({ port: stalled.port }), confirmTimeoutMs: 5_000 });
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

  it('gives up on a stalled check after confirmTimeoutMs and fails closed', async () => {
    const stalled = await proxy();
    const { v, s } = await startedWithLiveSession({ redis: client({ port: stalled.port }), confirmTimeoutMs: 200 });
    stalled.pause();
    const started = Date.now();
    const err: unknown = await v.isRevoked(s).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(RevocationUnavailableError);
    expect(err).toMatchObject({ message: 'revocation store unreachable', cause: { message: 'revocation check timed out' } });
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

describe('revocation view races', () => {
  it('a not-before marker heard while the check is in flight wins over the Redis answer', async () => {
    const stalled = await proxy();
    const { v, s } = await startedWithLiveSession({ redis: client({ port: stalled.port }), confirmTimeoutMs: 5_000 });
    const iat = nowSec() - 10;
    stalled.pause();
    const answer = v.isRevoked({ ...s, iat });
    await waitFor(() => v.stats().redisChecks === 1, 1_000, 'check sent');
    await announceNotBefore(s.sub, iat + 1, s.exp);
    await barrier(v);
    stalled.resume();
    expect(await answer).toBe(true);
    expect(v.stats().confirmedSessions).toBe(0);
  });

  it('a subscription acknowledged after close() starts no epoch', async () => {
    const v = view();
    const starting = v.start(); // the SUBSCRIBE waits for the connection to come up
    await v.close();
    await starting;
    expect(v.stats()).toMatchObject({ subscribed: false, epoch: 0 });
  });

  it('a subscription acknowledged on a connection that has dropped since does not vouch', async () => {
    const subscriber = client();
    const subscribe = subscriber.subscribe.bind(subscriber) as unknown as (channel: string) => Promise<unknown>;
    // The acknowledgement reaches the view only after its connection closed (a close racing the
    // ack): nothing will be heard on that connection, so no epoch may start on it.
    subscriber.subscribe = (async (channel: string) => {
      const count = await subscribe(channel);
      subscriber.disconnect();
      await waitFor(() => subscriber.status === 'end', 2_000, 'the connection to close');
      return count;
    }) as unknown as typeof subscriber.subscribe;
    const v = view({ subscriber });
    await v.start();
    expect(v.stats()).toMatchObject({ subscribed: false, epoch: 0 });
    const s = session();
    await openSession(client(), s.sub, s.sid);
    expect(await v.isRevoked(s)).toBe(false);
    expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats()).toMatchObject({ redisChecks: 2, confirmedSessions: 0 });
  });

  it('fails fast at the moment the command connection closes (ioredis status "close")', async () => {
    const s = session();
    let during: Promise<unknown> | undefined;
    let statusDuring: string | undefined;
    // ioredis is in "close" only while it decides whether to reconnect: the retry strategy runs then.
    const redis = client({
      retryStrategy: () => {
        if (during === undefined) {
          statusDuring = redis.status;
          during = started.isRevoked(s).catch((err: unknown) => err);
        }
        return 50;
      },
    });
    const started = view({ redis });
    await started.start();
    redis.disconnect(true);
    await waitFor(() => during !== undefined, 2_000, 'the close');
    expect(statusDuring).toBe('close');
    expect(await during).toBeInstanceOf(RevocationUnavailableError);
    expect(started.stats().redisChecks).toBe(0);
  });

  it('fails fast while a Cluster command client is disconnecting', async () => {
    // Never connected (lazy): quit() holds "disconnecting" until the next turn of the event loop.
    const cluster = new Cluster([{ host: REDIS_HOST, port: REDIS_PORT }], { lazyConnect: true, keyPrefix: prefix });
    cluster.on('error', () => undefined);
    const v = view({ redis: cluster, confirmTimeoutMs: 300 });
    const quitting = cluster.quit();
    expect(cluster.status).toBe('disconnecting');
    const answer = v.isRevoked(session());
    await quitting;
    await expect(answer).rejects.toBeInstanceOf(RevocationUnavailableError);
    await expect(answer).rejects.toThrow('revocation store unreachable');
    expect(v.stats().redisChecks).toBe(0);
  });

  it('subscribes once when its connection first comes up, and again only after a reconnect', async () => {
    const subscriber = client(); // still connecting: the SUBSCRIBE waits for its first "ready"
    const v = view({ subscriber });
    await v.start();
    await subscriber.ping(); // answered after any SUBSCRIBE sent before it
    expect(v.stats().epoch).toBe(1);
  });

  it('ignores revocation-shaped messages on other channels of its subscriber connection', async () => {
    const subscriber = client();
    const v = view({ subscriber });
    await v.start();
    const elsewhere = `${prefix}elsewhere`;
    await subscriber.subscribe(elsewhere);
    const s = session();
    await openSession(client(), s.sub, s.sid);
    await client({ keyPrefix: '' }).publish(elsewhere, JSON.stringify({ sub: s.sub, sid: s.sid, exp: s.exp }));
    await client({ keyPrefix: '' }).publish(elsewhere, JSON.stringify({ sub: s.sub, nbf: nowSec() + 60, exp: s.exp }));
    await barrier(v);
    expect(v.stats().revokedInMemory).toBe(1); // the barrier's own
    expect(await v.isRevoked({ ...s, iat: nowSec() })).toBe(false);
    expect(revocationChannelFor(prefix)).toBe(`${prefix}revocations`);
  });

  it('refuses to start twice or after close, and close() unsubscribes but leaves the connections open', async () => {
    const redis = client();
    const subscriber = client();
    const v = view({ redis, subscriber, healthCheckIntervalMs: 50 });
    await v.start();
    await expect(v.start()).rejects.toThrow('revocation view already started');
    const channel = revocationChannelFor(prefix);
    const numsub = async () => (await client({ keyPrefix: '' }).pubsub('NUMSUB', channel))[1];
    expect(await numsub()).toBe(1);
    const live = session();
    await openSession(client(), live.sub, live.sid);
    expect(await v.isRevoked(live)).toBe(false);
    expect(await v.isRevoked(session())).toBe(true);
    expect(v.stats()).toMatchObject({ confirmedSessions: 1, revokedInMemory: 1 });
    await v.close();
    expect(v.stats()).toMatchObject({ subscribed: false, confirmedSessions: 0, revokedInMemory: 0 });
    expect(await numsub()).toBe(0);
    await sleep(200); // health checks would subscribe again if they still ran
    expect(await numsub()).toBe(0);
    expect([redis.status, subscriber.status]).toEqual(['ready', 'ready']);
    await expect(v.start()).rejects.toThrow('revocation view closed');
    await expect(v.isRevoked(session())).rejects.toThrow('revocation view closed');
  });

});

describe('revocation view health check', () => {
  it('does not subscribe again while a subscribe is pending', async () => {
    const stalled = await proxy();
    const subscriber = client({ port: stalled.port });
    await subscriber.ping(); // connected and ready
    stalled.pause();
    const v = view({ subscriber, healthCheckIntervalMs: 50 });
    const starting = v.start();
    await sleep(400); // several health checks while the SUBSCRIBE waits
    stalled.resume();
    await starting;
    await sleep(200);
    expect(v.stats()).toMatchObject({ subscribed: true, epoch: 1 });
  });

  it('is off with an interval of 0: a failed first subscribe then stays failed', async () => {
    const v = view({ subscriber: client({ enableOfflineQueue: false }), healthCheckIntervalMs: 0 });
    await expect(v.start()).rejects.toThrow();
    await sleep(300);
    expect(v.stats()).toMatchObject({ subscribed: false, epoch: 0 });
  });

  it('reads the data-epoch marker on subscribing, so a loss before the first health check is noticed', async () => {
    const { logger, lines } = recordingLogger();
    const { v, s } = await startedWithLiveSession({ healthCheckIntervalMs: 1_000, logger });
    expect(await v.isRevoked(s)).toBe(false);
    await sleep(300); // the marker read that follows the subscription is done
    await deleteKeysWithPrefix(prefix); // Redis loses everything, the connections stay up
    await waitFor(() => v.stats().dataResets === 1, 3_000, 'the loss to be noticed');
    expect(v.stats()).toMatchObject({ epoch: 2, confirmedSessions: 0 });
    expect(await v.isRevoked(s)).toBe(true);
    expect(lines.filter((l) => l.msg === 'Redis lost its data (epoch marker changed); confirming every session again').map((l) => l.obj)).toEqual([
      { epoch: 2 },
    ]);
  });

  it('reports a failed data-epoch check as a warning, not as data loss', async () => {
    const { logger, lines } = recordingLogger();
    const cut = await proxy();
    const v = view({ redis: client({ port: cut.port }), logger, healthCheckIntervalMs: 50, confirmTimeoutMs: 200 });
    await v.start();
    await cut.stop();
    await waitFor(() => lines.some((l) => l.msg === 'data epoch check failed; will retry'), 2_000, 'the warning');
    expect(v.stats().dataResets).toBe(0);
  });

  it('leaves a subscriber that is not ready to its reconnect', async () => {
    const { logger, lines } = recordingLogger();
    const subscriber = client();
    const v = view({ subscriber, healthCheckIntervalMs: 50, logger });
    await v.start();
    subscriber.disconnect(); // ended: only connect() brings it back
    await waitFor(() => !v.stats().subscribed, 1_000, 'the disconnect');
    await sleep(300); // several health checks
    expect(lines.map((l) => l.msg)).not.toContain('revocation subscribe failed; will retry');
    await subscriber.connect();
    await waitFor(() => v.stats().subscribed, 2_000, 'the resubscribe');
  });

  it('tells the operator once per interruption, not once per failed reconnect attempt', async () => {
    const { logger, lines } = recordingLogger();
    const cut = await proxy();
    const v = view({ subscriber: client({ port: cut.port }), logger });
    await v.start();
    await cut.stop();
    await sleep(400); // reconnect attempts every 50 ms, each one closing again
    await cut.start();
    await waitFor(() => v.stats().subscribed, 3_000, 'recovery');
    const interruptions = lines.filter((l) => l.msg === 'revocation subscription interrupted; confirming sessions with Redis');
    expect(interruptions.map((l) => [l.level, l.obj])).toEqual([['warn', { reason: 'connection closed', epoch: 1 }]]);
    const active = lines.filter((l) => l.msg === 'revocation subscription active');
    expect(active.map((l) => l.obj)).toEqual([{ epoch: 1 }, { epoch: 2 }]);
  });
});

describe('not-before markers in memory', () => {
  it('a newer marker replaces an older one, never the reverse', async () => {
    const { v, s } = await startedWithLiveSession();
    const t = nowSec();
    const token = { ...s, iat: t - 50 };
    expect(await v.isRevoked(token)).toBe(false);
    await announceNotBefore(s.sub, t - 100, t + 900);
    await barrier(v);
    expect(await v.isRevoked(token)).toBe(false);
    await announceNotBefore(s.sub, t, t + 900);
    await barrier(v);
    expect(await v.isRevoked(token)).toBe(true);
    await announceNotBefore(s.sub, t - 100, t + 900); // late, older
    await barrier(v);
    expect(await v.isRevoked(token)).toBe(true);
    expect(await v.isRevoked({ ...s, iat: t })).toBe(false);
    expect(v.stats().redisChecks).toBe(1);
  });

  it('a marker in Redis that is not a number is ignored and does not block later ones', async () => {
    const { v, s } = await startedWithLiveSession();
    await client().set(userNotBeforeKey(s.sub), 'garbage', 'EX', 60);
    const t = nowSec();
    expect(await v.isRevoked({ ...s, iat: t - 10 })).toBe(false);
    await announceNotBefore(s.sub, t, t + 900);
    await waitFor(async () => (await v.isRevoked({ ...s, iat: t - 10 })) === true, 1_000, 'the marker to apply');
  });

  it('a marker key of the wrong type makes the check fail closed', async () => {
    const { v, s } = await startedWithLiveSession();
    await client().hset(userNotBeforeKey(s.sub), 'nbf', '1');
    const err: unknown = await v.isRevoked(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationUnavailableError);
    expect(err).toMatchObject({ message: 'revocation store unreachable', cause: { message: 'revocation check failed' } });
  });
});

describe('revocation view and Redis permissions', () => {
  const users: string[] = [];
  afterAll(async () => {
    const admin = createClient();
    try {
      for (const user of users) await admin.call('ACL', 'DELUSER', user);
    } finally {
      admin.disconnect();
    }
  });

  /** A command client logged in as a Redis user that may use every key of this test except `denied`. */
  async function restrictedClient(denied: 'revoked' | 'sess'): Promise<Redis> {
    const user = `auth-tokens-test-${denied}-${counter}-${Date.now()}`;
    users.push(user);
    const allowed = ['revoked', 'sess', 'nbf'].filter((kind) => kind !== denied).map((kind) => `~${prefix}${kind}:*`);
    await client({ keyPrefix: '' }).call('ACL', 'SETUSER', user, 'on', 'nopass', ...allowed, `~${prefix}redis-epoch`, '+@all');
    return client({ username: user, password: 'unused' });
  }

  it.each(['revoked', 'sess'] as const)('fails closed when Redis refuses to read the %s key', async (denied) => {
    const v = view({ redis: await restrictedClient(denied) });
    await v.start();
    const s = session();
    await openSession(client(), s.sub, s.sid);
    const err: unknown = await v.isRevoked(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationUnavailableError);
    expect(v.stats().confirmedSessions).toBe(0);
  });
});

describe('revocation view clock', () => {
  it('keeps a revocation through the last second of its grace minute, not after', async () => {
    const { v, s } = await startedWithLiveSession();
    const other = session();
    await openSession(client(), other.sub, other.sid);
    expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats().confirmedSessions).toBe(1);
    const exp = nowSec() + 5;
    await announce(s, exp);
    await announce(other, exp);
    await waitFor(() => v.stats().revokedInMemory === 2, 1_000, 'revocation messages');
    expect(v.stats().confirmedSessions).toBe(0); // the revocation replaced the confirmation
    await atSecond(exp + 60, async () => {
      expect(v.stats().revokedInMemory).toBe(2);
      expect(await v.isRevoked(s)).toBe(true);
    });
    expect(v.stats().redisChecks).toBe(1);
    await atSecond(exp + 61, async () => {
      // Past the grace the memory entries go; both sessions are alive and unmarked in Redis.
      expect(await v.isRevoked(s)).toBe(false);
      expect(v.stats().revokedInMemory).toBe(0); // `other` swept by stats()
    });
    expect(v.stats().redisChecks).toBe(2);
  });

  /**
   * A health check at second `last` keeps the user's marker (the old token refused), one at
   * `last + 1` drops it. The view must check every 50 ms.
   */
  async function expectMarkerKeptThrough(v: RedisRevocationView, old: RevocationClaims, last: number): Promise<void> {
    for (const [second, refused] of [[last, true], [last + 1, false]] as const) {
      await atSecond(second, async () => {
        await sleep(150); // health checks sweep
        // Without the marker the session, confirmed earlier, answers from memory.
        expect(await v.isRevoked(old), `at +${second - last}`).toBe(refused);
      });
    }
    expect(v.stats().redisChecks).toBe(1);
  }

  it('holds a not-before marker heard by pub/sub until its exp plus the grace minute', async () => {
    const { v, s } = await startedWithLiveSession({ healthCheckIntervalMs: 50 });
    const t = nowSec();
    const old = { ...s, iat: t - 10 };
    expect(await v.isRevoked(old)).toBe(false);
    await announceNotBefore(s.sub, t, t + 5);
    await barrier(v);
    await expectMarkerKeptThrough(v, old, t + 65);
  });

  it('holds a marker read from Redis as long as Redis holds it, plus the grace minute', async () => {
    const { v, s } = await startedWithLiveSession({ healthCheckIntervalMs: 50 });
    const t = nowSec();
    await client().set(userNotBeforeKey(s.sub), String(t), 'PX', 5_990);
    // First sight with the clock stopped at t: the marker's TTL (just under 6 s) counts as 6 s.
    await atSecond(t, async () => expect(await v.isRevoked({ ...s, iat: t })).toBe(false));
    await expectMarkerKeptThrough(v, { ...s, iat: t - 1 }, t + 66);
  });
});
