import type { RedisClient } from '@authmeet/http-kit';

/**
 * Sessions live in Redis. Key layout (every key carries the `{u:<userId>}` hash tag, so all of
 * one user's keys share a Redis Cluster slot and the scripts below stay atomic there; the
 * client adds REDIS_KEY_PREFIX in front of each):
 *
 *   sess:{u:<uid>}:<sid>     hash  uid, rh (SHA-256 of the current refresh token), old (the
 *                                  last rotated refresh-token hashes, truncated), ca/lu/ex/ax
 *                                  (created, last used, sliding expiry, absolute expiry; epoch
 *                                  ms), ip, ua. TTL = the sliding expiry.
 *   sessions:{u:<uid>}       zset  sid → sliding expiry; the per-user index for listing and
 *                                  revoke-all. TTL = the absolute session lifetime.
 *   revoked:{u:<uid>}:<sid>  string written on revocation (see @authmeet/auth-tokens), read by
 *                                  other services; lives as long as an access token can.
 */
export const sessionKey = (userId: string, sessionId: string) => `sess:{u:${userId}}:${sessionId}`;
export const userSessionsKey = (userId: string) => `sessions:{u:${userId}}`;

/** Rotated refresh-token hashes remembered per session for reuse detection. */
const OLD_HASHES_KEPT = 8;
const OLD_HASH_CHARS = 24; // 96 bits: enough to recognise a token we issued, useless to forge one

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  ip: string;
  userAgent: string;
}

export interface NewSession {
  id: string;
  userId: string;
  refreshHash: string;
  now: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  ip: string;
  userAgent: string;
}

export type RotateResult =
  | { status: 'ok'; session: SessionRecord }
  | { status: 'invalid' }
  | { status: 'reused' };

// KEYS: sess, index. ARGV: presented hash, new hash, now ms, refresh ttl ms, sid, kept, chars.
const rotateScript = `
local cur = redis.call('HGET', KEYS[1], 'rh')
if not cur then return {'invalid'} end
local now = tonumber(ARGV[3])
local presented = ARGV[1]
local short = string.sub(presented, 1, tonumber(ARGV[7]))
local old = redis.call('HGET', KEYS[1], 'old') or ''
if cur ~= presented then
  if string.find(old, ',' .. short .. ',', 1, true) then
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], ARGV[5])
    return {'reused'}
  end
  return {'invalid'}
end
local ax = tonumber(redis.call('HGET', KEYS[1], 'ax'))
local ex = math.min(now + tonumber(ARGV[4]), ax)
if ex <= now then return {'invalid'} end
old = ',' .. short .. old
local keep = tonumber(ARGV[6]) * (tonumber(ARGV[7]) + 1) + 1
if string.len(old) > keep then old = string.sub(old, 1, keep) end
redis.call('HSET', KEYS[1], 'rh', ARGV[2], 'old', old, 'lu', now, 'ex', ex)
redis.call('PEXPIREAT', KEYS[1], ex)
redis.call('ZADD', KEYS[2], ex, ARGV[5])
return {'ok', redis.call('HGET', KEYS[1], 'ca'), tostring(ex), tostring(ax), redis.call('HGET', KEYS[1], 'ip'), redis.call('HGET', KEYS[1], 'ua')}
`;

function toRecord(id: string, h: Record<string, string>): SessionRecord | undefined {
  if (!h.uid) return undefined;
  return {
    id,
    userId: h.uid,
    createdAt: Number(h.ca),
    lastUsedAt: Number(h.lu),
    expiresAt: Number(h.ex),
    absoluteExpiresAt: Number(h.ax),
    ip: h.ip ?? '',
    userAgent: h.ua ?? '',
  };
}

export function createSessionsRepository(redis: RedisClient) {
  return {
    async create(s: NewSession): Promise<void> {
      const key = sessionKey(s.userId, s.id);
      const index = userSessionsKey(s.userId);
      await redis
        .multi()
        .hset(key, {
          uid: s.userId,
          rh: s.refreshHash,
          old: ',',
          ca: s.now,
          lu: s.now,
          ex: s.expiresAt,
          ax: s.absoluteExpiresAt,
          ip: s.ip,
          ua: s.userAgent,
        })
        .pexpireat(key, s.expiresAt)
        .zadd(index, s.expiresAt, s.id)
        // Expired members are dropped lazily here and on listing.
        .zremrangebyscore(index, '-inf', s.now)
        .pexpireat(index, s.absoluteExpiresAt)
        .exec();
    },

    async rotate(userId: string, sessionId: string, presentedHash: string, newHash: string, now: number, refreshTtlMs: number): Promise<RotateResult> {
      const reply = (await redis.eval(
        rotateScript,
        2,
        sessionKey(userId, sessionId),
        userSessionsKey(userId),
        presentedHash,
        newHash,
        now,
        refreshTtlMs,
        sessionId,
        OLD_HASHES_KEPT,
        OLD_HASH_CHARS,
      )) as string[];
      if (reply[0] === 'reused') return { status: 'reused' };
      if (reply[0] !== 'ok') return { status: 'invalid' };
      const [, ca, ex, ax, ip, ua] = reply;
      return {
        status: 'ok',
        session: {
          id: sessionId,
          userId,
          createdAt: Number(ca),
          lastUsedAt: now,
          expiresAt: Number(ex),
          absoluteExpiresAt: Number(ax),
          ip: ip ?? '',
          userAgent: ua ?? '',
        },
      };
    },

    async exists(userId: string, sessionId: string): Promise<boolean> {
      return (await redis.exists(sessionKey(userId, sessionId))) === 1;
    },

    async find(userId: string, sessionId: string): Promise<SessionRecord | undefined> {
      return toRecord(sessionId, await redis.hgetall(sessionKey(userId, sessionId)));
    },

    async listIds(userId: string, now: number): Promise<string[]> {
      return redis.zrangebyscore(userSessionsKey(userId), String(now), '+inf');
    },

    async list(userId: string, now: number): Promise<SessionRecord[]> {
      const index = userSessionsKey(userId);
      await redis.zremrangebyscore(index, '-inf', now);
      const ids = await redis.zrange(index, '0', '-1');
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(sessionKey(userId, id));
      const results = (await pipeline.exec()) ?? [];
      const sessions: SessionRecord[] = [];
      results.forEach(([err, value], i) => {
        const id = ids[i];
        if (err || id === undefined) return;
        const record = toRecord(id, value as Record<string, string>);
        if (record) sessions.push(record);
      });
      return sessions.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    },

    /** Deletes the sessions; returns the ids that existed. */
    async delete(userId: string, sessionIds: string[]): Promise<void> {
      if (sessionIds.length === 0) return;
      const tx = redis.multi();
      for (const id of sessionIds) tx.del(sessionKey(userId, id));
      tx.zrem(userSessionsKey(userId), ...sessionIds);
      await tx.exec();
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
