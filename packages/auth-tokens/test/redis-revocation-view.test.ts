import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  REVOCATION_CHANNEL,
  RevocationUnavailableError,
  createRedisRevocationView,
  publishRevocation,
  revokedSessionKey,
} from '../src/index.js';
import type { RedisRevocationView, RedisRevocationViewOptions, RevocationLogger } from '../src/index.js';
import { closedPort } from './helpers/jwks-server.js';
import { createClient, deleteKeysWithPrefix, openSession, startTcpProxy, uniquePrefix, waitFor } from './helpers/redis.js';
import type { TcpProxy } from './helpers/redis.js';
import { nowSec } from './helpers/tokens.js';

const prefix = uniquePrefix('view');
const clients: Redis[] = [];
const views: RedisRevocationView[] = [];
const proxies: TcpProxy[] = [];
let sessionCounter = 0;

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

/** A session the auth-service opened (its key exists), as every token's session has. */
async function session(): Promise<{ sub: string; sid: string; exp: number }> {
  sessionCounter += 1;
  const s = { sub: `user-${sessionCounter}`, sid: `sid-${sessionCounter}`, exp: nowSec() + 900 };
  await openSession(client(), s.sub, s.sid);
  return s;
}

async function unavailable(promise: Promise<unknown>): Promise<boolean> {
  return promise.then(
    () => false,
    (err: unknown) => err instanceof RevocationUnavailableError,
  );
}

afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
});

describe('revocation layout', () => {
  it('builds hash-tagged keys without the client prefix', () => {
    expect(revokedSessionKey('u1', 's1')).toBe('revoked:{u:u1}:s1');
    expect(REVOCATION_CHANNEL).toBe('revocations');
    for (const [u, s] of [['a}', 's'], ['u', ''], ['', 's'], ['u', 'a\nb'], ['u{', 's']]) {
      expect(() => revokedSessionKey(String(u), String(s))).toThrow(TypeError);
    }
  });

  it('publishRevocation SETs the prefixed key with a TTL and PUBLISHes on prefix + channel', async () => {
    const raw = createClient();
    const listener = createClient();
    try {
      const received: string[] = [];
      listener.on('message', (channel: string, message: string) => received.push(`${channel}|${message}`));
      await listener.subscribe(`${prefix}revocations`);
      await publishRevocation(client(), prefix, { sub: 'u-pub', sid: 's-pub', ttlSec: 120 });
      const ttl = await raw.ttl(`${prefix}revoked:{u:u-pub}:s-pub`);
      expect(ttl).toBeGreaterThan(100);
      expect(ttl).toBeLessThanOrEqual(120);
      await waitFor(() => received.length === 1, 1_000, 'revocation message');
      const [channel, message] = String(received[0]).split('|');
      expect(channel).toBe(`${prefix}revocations`);
      const parsed = JSON.parse(String(message)) as { sub: string; sid: string; exp: number };
      expect(parsed.sub).toBe('u-pub');
      expect(parsed.sid).toBe('s-pub');
      expect(Math.abs(parsed.exp - (nowSec() + 120))).toBeLessThanOrEqual(2);
    } finally {
      raw.disconnect();
      listener.disconnect();
    }
  });

  it('refuses a keyPrefix that differs from the client configuration', async () => {
    await expect(publishRevocation(client(), 'other:', { sub: 'u', sid: 's', ttlSec: 10 })).rejects.toThrow(TypeError);
    await expect(publishRevocation(client(), prefix, { sub: 'u', sid: 's', ttlSec: 0 })).rejects.toThrow(TypeError);
    expect(() => createRedisRevocationView({ redis: client(), subscriber: client(), keyPrefix: 'other:' })).toThrow(
      TypeError,
    );
  });
});

describe('redis revocation view', () => {
  it('confirms a new session once, then answers from memory', async () => {
    const v = view();
    await v.start();
    expect(v.stats()).toMatchObject({ subscribed: true, epoch: 1, redisChecks: 0 });
    const s = await session();
    expect(await v.isRevoked(s)).toBe(false);
    for (let i = 0; i < 20; i += 1) expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats().redisChecks).toBe(1);
  });

  it('shares one EXISTS between concurrent first checks of a session', async () => {
    const v = view();
    await v.start();
    const s = await session();
    const answers = await Promise.all(Array.from({ length: 20 }, () => v.isRevoked(s)));
    expect(answers.every((a) => a === false)).toBe(true);
    expect(v.stats().redisChecks).toBe(1);
  });

  it('finds a revocation that already exists in Redis on first sight', async () => {
    const s = await session();
    await publishRevocation(client(), prefix, { sub: s.sub, sid: s.sid, ttlSec: 60 });
    const v = view();
    await v.start();
    expect(await v.isRevoked(s)).toBe(true);
    expect(await v.isRevoked(s)).toBe(true);
    expect(v.stats()).toMatchObject({ redisChecks: 1, revokedInMemory: 1 });
  });

  it('learns a revocation published on another connection within 1 s, without I/O', async () => {
    // Subscriber without keyPrefix, as http-kit creates subscribers: the channel is still prefixed.
    const v = view({ subscriber: client({ keyPrefix: '' }) });
    await v.start();
    const s = await session();
    expect(await v.isRevoked(s)).toBe(false);
    const started = performance.now();
    await publishRevocation(client(), prefix, { sub: s.sub, sid: s.sid, ttlSec: 60 });
    await waitFor(() => v.isRevoked(s), 1_000, 'revocation to reach the view');
    const latencyMs = performance.now() - started;
    expect(latencyMs).toBeLessThan(1_000);
    expect(v.stats().redisChecks).toBe(1); // only the initial confirmation
  });

  it('tells revocation listeners (after recording it), survives a throwing one, and stops after removal', async () => {
    const warnings: string[] = [];
    const v = view({ logger: { warn: (_obj, msg) => warnings.push(msg) } });
    await v.start();
    const s = await session();
    const heard: string[] = [];
    const seenRevoked: boolean[] = [];
    v.onRevoked(() => {
      throw new Error('listener bug');
    });
    const remove = v.onRevoked((sub, sid) => {
      heard.push(`${sub}/${sid}`);
      void v.isRevoked({ sub, sid, exp: s.exp }).then((r) => seenRevoked.push(r));
    });
    await publishRevocation(client(), prefix, { sub: s.sub, sid: s.sid, ttlSec: 60 });
    await waitFor(() => heard.length === 1 && seenRevoked.length === 1, 1_000, 'listener call');
    expect(heard).toEqual([`${s.sub}/${s.sid}`]);
    expect(seenRevoked).toEqual([true]);
    expect(warnings).toContain('revocation listener failed');

    remove();
    const later = await session();
    await publishRevocation(client(), prefix, { sub: later.sub, sid: later.sid, ttlSec: 60 });
    await waitFor(() => v.isRevoked(later), 1_000, 'second revocation');
    expect(heard).toHaveLength(1);
  });

  it('catches a revocation published while the subscriber was disconnected', async () => {
    const subscriber = client();
    const v = view({ subscriber });
    await v.start();
    const s = await session();
    expect(await v.isRevoked(s)).toBe(false);

    subscriber.disconnect(); // no automatic reconnect: the gap lasts until we reconnect
    await waitFor(() => !v.stats().subscribed, 1_000, 'view to notice the disconnect');
    // Answers during the gap come from Redis and are not remembered as confirmations.
    const confirmedBefore = v.stats().confirmedSessions;
    expect(await v.isRevoked(await session())).toBe(false);
    expect(v.stats().confirmedSessions).toBe(confirmedBefore);
    await publishRevocation(client(), prefix, { sub: s.sub, sid: s.sid, ttlSec: 60 });
    await subscriber.connect();
    await waitFor(() => v.stats().subscribed, 2_000, 'view to resubscribe');

    expect(v.stats().epoch).toBe(2);
    expect(v.stats().revokedInMemory).toBe(0); // the message was missed...
    expect(await v.isRevoked(s)).toBe(true); // ...but the new epoch forced an EXISTS
    expect(v.stats().redisChecks).toBe(3);
  });

  it('re-confirms sessions after an automatic reconnect (server-side kill)', async () => {
    const name = `auth-tokens-test-${sessionCounter}-${Date.now()}`;
    const subscriber = client({ connectionName: name });
    const v = view({ subscriber });
    await v.start();
    const s = await session();
    expect(await v.isRevoked(s)).toBe(false);

    const admin = client({ keyPrefix: '' });
    const list = String(await admin.client('LIST'));
    const line = list.split('\n').find((l) => l.includes(`name=${name}`));
    const id = /id=(\d+)/.exec(String(line))?.[1];
    expect(id).toBeDefined();
    const epochBefore = v.stats().epoch;
    await admin.client('KILL', 'ID', String(id));
    await waitFor(() => v.stats().epoch > epochBefore && v.stats().subscribed, 3_000, 'automatic resubscribe');

    expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats().redisChecks).toBe(2);
    await publishRevocation(client(), prefix, { sub: s.sub, sid: s.sid, ttlSec: 60 });
    await waitFor(() => v.isRevoked(s), 1_000, 'revocation after reconnect');
  });

  it('fails closed while Redis is unreachable and recovers when it returns', async () => {
    const proxy = await startTcpProxy();
    proxies.push(proxy);
    const v = view({
      redis: client({ port: proxy.port }),
      subscriber: client({ port: proxy.port }),
      confirmTimeoutMs: 300,
    });
    await v.start();
    const known = await session();
    const revoked = await session();
    expect(await v.isRevoked(known)).toBe(false);
    await publishRevocation(client(), prefix, { sub: revoked.sub, sid: revoked.sid, ttlSec: 60 });
    await waitFor(() => v.stats().revokedInMemory === 1, 1_000, 'revocation message');

    await proxy.stop();
    await waitFor(() => !v.stats().subscribed, 1_000, 'outage detection');
    const started = Date.now();
    expect(await unavailable(v.isRevoked(await session()))).toBe(true);
    expect(await unavailable(v.isRevoked(known))).toBe(true); // cannot vouch across a gap
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await v.isRevoked(revoked)).toBe(true); // memory still answers "revoked"

    await proxy.start();
    await waitFor(() => v.stats().subscribed, 3_000, 'recovery');
    expect(await v.isRevoked(known)).toBe(false);
    expect(await v.isRevoked(await session())).toBe(false);
  });

  it('fails closed when Redis was never reachable', async () => {
    const port = await closedPort();
    const v = view({ redis: client({ port }), subscriber: client({ port }), confirmTimeoutMs: 300 });
    const started = Date.now();
    expect(await unavailable(v.isRevoked(await session()))).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops vouching when the subscription silently stalls, then resubscribes', async () => {
    const proxy = await startTcpProxy();
    proxies.push(proxy);
    const v = view({
      redis: client(),
      subscriber: client({ port: proxy.port }),
      confirmTimeoutMs: 200,
      healthCheckIntervalMs: 100,
    });
    await v.start();
    const s = await session();
    expect(await v.isRevoked(s)).toBe(false);

    proxy.pause();
    await waitFor(() => !v.stats().subscribed, 2_000, 'stall detection');
    // While stalled, answers come from Redis, not from the stale confirmation.
    expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats().redisChecks).toBe(2);

    proxy.resume();
    await waitFor(() => v.stats().subscribed, 2_000, 'resubscribe after stall');
    expect(v.stats().epoch).toBeGreaterThanOrEqual(2);
    expect(await v.isRevoked(s)).toBe(false);
    expect(v.stats().redisChecks).toBe(3); // re-confirmed in the new epoch
  });

  it('drops in-memory revocations after their exp and re-checks those sessions', async () => {
    const logger: RevocationLogger = { warn: () => undefined };
    const v = view({ logger });
    await v.start();
    const publisher = client({ keyPrefix: '' });
    const old = await session();
    const live = await session();
    await publisher.publish(`${prefix}revocations`, JSON.stringify({ sub: old.sub, sid: old.sid, exp: nowSec() - 3_600 }));
    await publisher.publish(`${prefix}revocations`, JSON.stringify({ sub: live.sub, sid: live.sid, exp: nowSec() + 60 }));
    await waitFor(() => v.stats().revokedInMemory === 1, 1_000, 'messages');
    expect(await v.isRevoked(live)).toBe(true);
    expect(await v.isRevoked(old)).toBe(false); // no Redis key: the old revocation no longer matters
    expect(v.stats().redisChecks).toBe(1);
  });

  it('ignores malformed messages and logs them', async () => {
    const warnings: string[] = [];
    const v = view({ logger: { warn: (_obj, msg) => warnings.push(msg) } });
    await v.start();
    const publisher = client({ keyPrefix: '' });
    for (const bad of ['nope', '{}', '{"sub":"a}","sid":"b","exp":1}', '{"sub":"a","sid":"b","exp":"x"}']) {
      await publisher.publish(`${prefix}revocations`, bad);
    }
    await waitFor(() => warnings.length === 4, 1_000, 'warnings');
    expect(warnings).toEqual(Array.from({ length: 4 }, () => 'ignoring malformed revocation message'));
    expect(v.stats().revokedInMemory).toBe(0);
    expect(v.stats().subscribed).toBe(true);
  });

  it('does not hear other prefixes and refuses to answer after close()', async () => {
    const v = view();
    await v.start();
    const s = await session();
    const foreign = createClient({ keyPrefix: `${prefix}other:` });
    try {
      await publishRevocation(foreign, `${prefix}other:`, { sub: s.sub, sid: s.sid, ttlSec: 60 });
    } finally {
      foreign.disconnect();
    }
    expect(await v.isRevoked(s)).toBe(false);
    await v.close();
    expect(await unavailable(v.isRevoked(s))).toBe(true);
  });
});
