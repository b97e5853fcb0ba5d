import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  appendNotBefore,
  createRedisRevocationView,
  execRevocations,
  parseNotBeforeMessage,
  parseRevocationMessage,
  publishRevocation,
  userNotBeforeKey,
} from '../src/index.js';
import type { RedisRevocationView } from '../src/index.js';
import { createClient, deleteKeysWithPrefix, openSession, uniquePrefix, waitFor } from './helpers/redis.js';
import { nowSec } from './helpers/tokens.js';

/**
 * A user's not-before marker refuses every token of the user issued before it (a role change
 * or a disable), whichever session it belongs to, while later tokens of the same sessions pass.
 */
const prefix = uniquePrefix('not-before');
const clients: Redis[] = [];
const views: RedisRevocationView[] = [];
let counter = 0;

function client(): Redis {
  const c = createClient({ keyPrefix: prefix });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

async function started(): Promise<RedisRevocationView> {
  const v = createRedisRevocationView({ redis: client(), subscriber: client(), keyPrefix: prefix });
  views.push(v);
  await v.start();
  return v;
}

async function session(iat: number) {
  counter += 1;
  const s = { sub: `user-${counter}`, sid: `sid-${counter}`, exp: nowSec() + 900, iat };
  await openSession(client(), s.sub, s.sid);
  return s;
}

const mark = (sub: string, nbf: number) => execRevocations(appendNotBefore(client().multi(), prefix, { sub, nbf, ttlSec: 960 }));

afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
});

describe('not-before marker', () => {
  it('reaches a view that answers from memory by pub/sub, for every session of the user', async () => {
    const v = await started();
    const t = nowSec();
    const a = await session(t - 10);
    const b = { ...a, sid: `${a.sid}-other-device` };
    await openSession(client(), b.sub, b.sid);
    expect(await v.isRevoked(a)).toBe(false);
    expect(await v.isRevoked(b)).toBe(false);
    const checks = v.stats().redisChecks;
    await mark(a.sub, t);
    await waitFor(async () => (await v.isRevoked(a)) === true, 1000, 'the marker to reach the view');
    expect(await v.isRevoked(b)).toBe(true);
    // Tokens issued at or after the marker, and tokens without iat (stream re-checks), pass.
    expect(await v.isRevoked({ ...a, iat: t })).toBe(false);
    expect(await v.isRevoked({ sub: a.sub, sid: a.sid, exp: a.exp })).toBe(false);
    expect(v.stats().redisChecks).toBe(checks);
  });

  it('is read from Redis with the first check of a session', async () => {
    const v = await started();
    const t = nowSec();
    const s = await session(t - 1);
    await mark(s.sub, t);
    expect(await v.isRevoked(s)).toBe(true);
    expect(await v.isRevoked({ ...s, iat: t + 1 })).toBe(false);
    expect(await client().ttl(userNotBeforeKey(s.sub))).toBeGreaterThan(900);
  });

  it('tells not-before listeners (after recording the marker), survives a throwing one, and stops after removal', async () => {
    const warnings: string[] = [];
    const v = createRedisRevocationView({ redis: client(), subscriber: client(), keyPrefix: prefix, logger: { warn: (_obj, msg) => warnings.push(msg) } });
    views.push(v);
    await v.start();
    const t = nowSec();
    const s = await session(t - 5);
    const heard: string[] = [];
    const refusedInside: boolean[] = [];
    v.onNotBefore(() => {
      throw new Error('listener bug');
    });
    const remove = v.onNotBefore((sub, nbf) => {
      heard.push(`${sub}@${nbf}`);
      void v.isRevoked(s).then((r) => refusedInside.push(r));
    });
    // A session revocation is not a not-before marker: the listener does not hear it.
    const other = await session(t - 5);
    expect(await v.isRevoked(other)).toBe(false);
    await publishRevocation(client(), prefix, { sub: other.sub, sid: other.sid, ttlSec: 60 });
    await waitFor(() => v.isRevoked(other), 1000, 'the session revocation to arrive by pub/sub');
    expect(heard).toEqual([]);
    await mark(s.sub, t);
    await waitFor(() => heard.length === 1 && refusedInside.length === 1, 1000, 'the listener call');
    expect(heard).toEqual([`${s.sub}@${t}`]);
    expect(refusedInside).toEqual([true]);
    expect(warnings).toContain('revocation listener failed');

    remove();
    await mark(s.sub, t + 1);
    await waitFor(async () => (await v.isRevoked({ ...s, iat: t })) === true, 1000, 'the second marker');
    expect(heard).toHaveLength(1);
  });

  it('has a message the session parser ignores and its own parser reads', () => {
    const raw = JSON.stringify({ sub: 'u', nbf: 10, exp: 20 });
    expect(parseRevocationMessage(raw)).toBeUndefined();
    expect(parseNotBeforeMessage(raw)).toEqual({ sub: 'u', nbf: 10, exp: 20 });
    expect(parseNotBeforeMessage(JSON.stringify({ sub: 'u', sid: 's', exp: 20 }))).toBeUndefined();
    expect(parseNotBeforeMessage(JSON.stringify({ sub: 'u{', nbf: 1, exp: 2 }))).toBeUndefined();
  });
});
