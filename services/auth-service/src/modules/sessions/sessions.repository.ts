import { appendNotBefore, appendRevocation, execRevocations, sessionAliveKey, userNotBeforeKey } from '@authmeet/auth-tokens';
import { redisScript } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';
import type { Authentication } from '../auth/authentication.js';

/**
 * Sessions live in Redis. Key layout (every key carries the `{u:<userId>}` hash tag, so all of
 * one user's keys share a Redis Cluster slot and the scripts below stay atomic there; the
 * client adds REDIS_KEY_PREFIX in front of each):
 *
 *   sess:{u:<uid>}:<sid>     hash  rh (SHA-256 of the current refresh token), old (the
 *                                  last rotated refresh-token hashes, truncated, newest first),
 *                                  rt (when the newest of them was rotated), sk (salt deriving
 *                                  each successor token), ca/lu/ex/ax (created, last used,
 *                                  sliding expiry, absolute expiry; epoch ms), ip, ua, am
 *                                  (the login's amr, comma-separated; absent for a password
 *                                  login: access tokens carry it, see authnOf).
 *                                  TTL = the sliding expiry. Other services read its existence
 *                                  as "the session is alive" (layout in @authmeet/auth-tokens).
 *   sessions:{u:<uid>}       zset  sid → sliding expiry; the per-user index for listing and
 *                                  revoke-all. TTL = the absolute session lifetime.
 *   revoked:{u:<uid>}:<sid>  string written on revocation (see @authmeet/auth-tokens), read by
 *                                  other services; lives as long as an access token can.
 *   nbf:{u:<uid>}            string the user's not-before marker (epoch seconds, see
 *                                  @authmeet/auth-tokens): tokens issued before it are refused.
 */
export const sessionKey = sessionAliveKey;
export const userSessionsKey = (userId: string) => `sessions:{u:${userId}}`;

/** Rotated refresh-token hashes remembered per session for reuse detection. */
const OLD_HASHES_KEPT = 8;
const OLD_HASH_CHARS = 24; // 96 bits: enough to recognise a token we issued, useless to forge one
// Stryker disable next-line StringLiteral: Redis reads an empty bound as 0, and every score is an epoch time after it
const LOWEST_SCORE = '-inf';

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  ip: string;
  userAgent: string;
  authn: Authentication;
}

export interface NewSession {
  id: string;
  userId: string;
  refreshHash: string;
  /** Derives successor refresh tokens (see refresh-token.ts); never leaves Redis. */
  salt: string;
  now: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  ip: string;
  userAgent: string;
  authn: Authentication;
}

export interface RotateInput {
  userId: string;
  sessionId: string;
  presentedHash: string;
  /** Hash of the token derived from the presented one with `salt`. */
  successorHash: string;
  salt: string;
  now: number;
  refreshTtlMs: number;
  /** How long after a rotation the rotated token still yields the same successor. */
  graceMs: number;
  /** Epoch ms on Redis's own clock after which the script must not act (see rotationContext). */
  deadline: number;
}

export type RotateResult =
  | { status: 'ok'; session: SessionRecord }
  | { status: 'invalid' }
  | { status: 'reused' }
  /** Redis ran the script after the caller's deadline: nothing changed. */
  | { status: 'late' }
  /** The session's salt differs from the one the successor was derived with. */
  | { status: 'salt'; salt: string };

export interface RotationContext {
  /** Undefined for a session gone, or one created before salts existed. */
  salt: string | undefined;
  exists: boolean;
  /** Redis's clock (epoch ms) when it answered: deadlines are set on this clock. */
  redisNow: number;
  /** Our clock (epoch ms) when the answer arrived, to carry `redisNow` forward. */
  receivedAt: number;
}

const redisNowMs = `local t = redis.call('TIME')
local rnow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: sess.
const contextScript = redisScript<[number, string, string]>(`
${redisNowMs}
return {redis.call('EXISTS', KEYS[1]), redis.call('HGET', KEYS[1], 'sk') or '', tostring(rnow)}
`);

// KEYS: sess, index. ARGV: presented hash, successor hash, now ms, refresh ttl ms, sid, kept,
// chars, grace ms, deadline (Redis clock ms), salt.
// A script Redis runs after the client gave up (a frozen or overloaded server catching up)
// compares Redis's clock with the deadline and changes nothing: the client was answered 503
// and will retry with the same token.
const rotateScript = redisScript<string[]>(`
${redisNowMs}
if rnow > tonumber(ARGV[9]) then return {'late'} end
local h = redis.call('HMGET', KEYS[1], 'rh', 'old', 'rt', 'ax', 'sk')
local cur = h[1]
if not cur then return {'invalid'} end
if h[5] and h[5] ~= ARGV[10] then return {'salt', h[5]} end
local now = tonumber(ARGV[3])
local presented = ARGV[1]
local chars = tonumber(ARGV[7])
local short = string.sub(presented, 1, chars)
local old = h[2] or ','
local ax = tonumber(h[4])
if cur == presented then
  local ex = math.min(now + tonumber(ARGV[4]), ax)
  if ex <= now then return {'invalid'} end
  old = ',' .. short .. old
  local keep = tonumber(ARGV[6]) * (chars + 1) + 1
  if string.len(old) > keep then old = string.sub(old, 1, keep) end
  redis.call('HSET', KEYS[1], 'rh', ARGV[2], 'old', old, 'rt', now, 'sk', ARGV[10], 'lu', now, 'ex', ex)
  redis.call('PEXPIREAT', KEYS[1], ex)
  redis.call('ZADD', KEYS[2], ex, ARGV[5])
elseif string.sub(old, 1, chars + 2) == ',' .. short .. ',' and now - tonumber(h[3] or 0) <= tonumber(ARGV[8]) then
  -- The token rotated last, back within the grace (another tab): it gets the same successor,
  -- which must be the current token in full, so a 96-bit prefix match alone never suffices.
  if cur ~= ARGV[2] then return {'invalid'} end
elseif string.find(old, ',' .. short .. ',', 1, true) then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[5])
  return {'reused'}
else
  return {'invalid'}
end
local r = redis.call('HMGET', KEYS[1], 'ca', 'lu', 'ex', 'ip', 'ua', 'am')
return {'ok', r[1], r[2] or r[1], r[3], tostring(ax), r[4] or '', r[5] or '', r[6] or ''}
`);

/**
 * How the session's login was made, from its `am` field: absent for a password login (the
 * common case costs no bytes). `acr` follows from the methods, and `auth_time` is the session's
 * creation: a session is opened by the login it records.
 */
function authnOf(am: string | undefined, createdAt: number): Authentication {
  const amr = am ? am.split(',') : ['pwd'];
  return { amr, acr: amr.includes('mfa') || amr.includes('hwk') ? 'aal2' : 'aal1', authTime: createdAt };
}

function toRecord(userId: string, id: string, h: Record<string, string>): SessionRecord | undefined {
  if (!h.rh) return undefined;
  return {
    id,
    userId,
    createdAt: Number(h.ca),
    lastUsedAt: Number(h.lu ?? h.ca),
    expiresAt: Number(h.ex),
    absoluteExpiresAt: Number(h.ax),
    ip: h.ip ?? '',
    userAgent: h.ua ?? '',
    authn: authnOf(h.am, Number(h.ca)),
  };
}

/** A not-before marker as stored (epoch seconds), 0 when none. */
// Stryker disable next-line ConditionalExpression: Number(null) is 0 as well; this spells out "no marker"
const markerValue = (value: string | null) => (value === null ? 0 : Number(value));

export interface SessionsRepositoryOptions {
  /** The client's keyPrefix: revocations are published on a channel carrying it. */
  keyPrefix: string;
  /** How long a revocation marker must outlive the session: the longest an access token lives. */
  revocationTtlSec: number;
}

export function createSessionsRepository(redis: RedisClient, opts: SessionsRepositoryOptions) {
  return {
    /**
     * Stores a new session; answers the user's not-before marker (see `notBefore`), read in the
     * same MULTI after the session is written, so a login needs no round trip of its own for it.
     */
    async create(s: NewSession): Promise<{ notBefore: number }> {
      const key = sessionKey(s.userId, s.id);
      const index = userSessionsKey(s.userId);
      const replies = await redis
        .multi()
        .hset(key, {
          // The user id is in the key, `lu` is absent until the first refresh (then `ca` is
          // the last use) and `old` until the first rotation: fewer bytes per session.
          rh: s.refreshHash,
          sk: s.salt,
          ca: s.now,
          ex: s.expiresAt,
          ax: s.absoluteExpiresAt,
          ip: s.ip,
          ua: s.userAgent,
          // The login's methods, unless it was a plain password login (see authnOf).
          // Stryker disable next-line StringLiteral: joined with any separator, only ['pwd'] gives 'pwd' (the stored value's separator is pinned)
          ...(s.authn.amr.join(',') === 'pwd' ? {} : { am: s.authn.amr.join(',') }),
        })
        .pexpireat(key, s.expiresAt)
        .zadd(index, s.expiresAt, s.id)
        // Expired members are dropped lazily here and on listing.
        .zremrangebyscore(index, LOWEST_SCORE, s.now)
        .pexpireat(index, s.absoluteExpiresAt)
        .get(userNotBeforeKey(s.userId))
        .exec();
      const [error, nbf] = replies?.at(-1) ?? [new Error('the session MULTI was discarded')];
      if (error) throw error;
      return { notBefore: markerValue(nbf as string | null) };
    },

    async rotationContext(userId: string, sessionId: string): Promise<RotationContext> {
      const [exists, salt, now] = await contextScript(redis, 1, sessionKey(userId, sessionId));
      return { exists: exists === 1, salt: salt === '' ? undefined : salt, redisNow: Number(now), receivedAt: Date.now() };
    },

    async rotate(r: RotateInput): Promise<RotateResult> {
      const reply = await rotateScript(
        redis,
        2,
        sessionKey(r.userId, r.sessionId),
        userSessionsKey(r.userId),
        r.presentedHash,
        r.successorHash,
        r.now,
        r.refreshTtlMs,
        r.sessionId,
        OLD_HASHES_KEPT,
        OLD_HASH_CHARS,
        r.graceMs,
        r.deadline,
        r.salt,
      );
      const [status, ca, lu, ex, ax, ip, ua, am] = reply;
      if (status === 'reused' || status === 'late') return { status };
      if (status === 'salt') return { status, salt: String(ca) };
      if (status !== 'ok') return { status: 'invalid' };
      return {
        status: 'ok',
        session: {
          id: r.sessionId,
          userId: r.userId,
          createdAt: Number(ca),
          lastUsedAt: Number(lu),
          expiresAt: Number(ex),
          absoluteExpiresAt: Number(ax),
          // Stryker disable next-line StringLiteral: the script answers '' for a missing field; the fallback is for the types
          ip: ip ?? '',
          // Stryker disable next-line StringLiteral: as above
          userAgent: ua ?? '',
          authn: authnOf(am, Number(ca)),
        },
      };
    },

    /**
     * Whether `hash` is the session's current refresh token or one of its recently rotated ones:
     * the presenter holds (or held) a token of this session, not just its ids.
     */
    async issuedRefreshToken(userId: string, sessionId: string, hash: string): Promise<boolean> {
      // A session that is gone has neither field.
      const [current, old] = await redis.hmget(sessionKey(userId, sessionId), 'rh', 'old');
      return current === hash || (old ?? '').includes(`,${hash.slice(0, OLD_HASH_CHARS)},`);
    },

    async exists(userId: string, sessionId: string): Promise<boolean> {
      return (await redis.exists(sessionKey(userId, sessionId))) === 1;
    },

    /** Whether a token is refused: its session is gone, or it predates the user's not-before marker. */
    async isTokenRevoked(claims: { sub: string; sid: string; iat?: number }): Promise<boolean> {
      const [alive, nbf] = await Promise.all([
        redis.exists(sessionKey(claims.sub, claims.sid)),
        // Stryker disable next-line ConditionalExpression: reading the marker for a token without iat changes nothing (below)
        claims.iat === undefined ? null : redis.get(userNotBeforeKey(claims.sub)),
      ]);
      if (alive !== 1) return true;
      // Stryker disable next-line ConditionalExpression,LogicalOperator: without iat or a marker the comparison below is false anyway (undefined < n, iat < Number(null) = 0); this is for the types
      if (claims.iat === undefined || nbf === null) return false;
      return claims.iat < Number(nbf);
    },

    /** The user's not-before marker (epoch seconds), 0 when none: new tokens are issued at or after it. */
    async notBefore(userId: string): Promise<number> {
      return markerValue(await redis.get(userNotBeforeKey(userId)));
    },

    /**
     * Every token of the user issued before `nbf` (epoch seconds) is refused by every service:
     * after a change of roles or of the account's state, the old claims stop working at once.
     */
    async setNotBefore(userId: string, nbf: number): Promise<void> {
      await execRevocations(appendNotBefore(redis.multi(), opts.keyPrefix, { sub: userId, nbf, ttlSec: opts.revocationTtlSec }));
    },

    async find(userId: string, sessionId: string): Promise<SessionRecord | undefined> {
      return toRecord(userId, sessionId, await redis.hgetall(sessionKey(userId, sessionId)));
    },

    async listIds(userId: string, now: number): Promise<string[]> {
      return redis.zrangebyscore(userSessionsKey(userId), String(now), '+inf');
    },

    async list(userId: string, now: number): Promise<SessionRecord[]> {
      const index = userSessionsKey(userId);
      await redis.zremrangebyscore(index, LOWEST_SCORE, now);
      const ids = await redis.zrange(index, '0', '-1');
      // Stryker disable next-line ConditionalExpression: an empty pipeline answers [] too; this skips the round trip
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(sessionKey(userId, id));
      // Stryker disable next-line ArrayDeclaration: a pipeline (unlike MULTI) never answers null; the fallback is for the types
      const results = (await pipeline.exec()) ?? [];
      const sessions: SessionRecord[] = [];
      results.forEach(([err, value], i) => {
        const id = ids[i];
        // Stryker disable next-line ConditionalExpression: there is one reply per id, so `id === undefined` is for the types (an error reply is pinned by a test)
        if (err || id === undefined) return;
        const record = toRecord(userId, id, value as Record<string, string>);
        if (record) sessions.push(record);
      });
      return sessions.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    },

    /**
     * Ends the sessions and tells every service, in one MULTI: the sessions are deleted, marked
     * revoked and announced together or not at all, so a failed request leaves nothing half done.
     */
    async revoke(userId: string, sessionIds: string[]): Promise<void> {
      if (sessionIds.length === 0) return;
      const tx = redis.multi();
      for (const id of sessionIds) {
        tx.del(sessionKey(userId, id));
        appendRevocation(tx, opts.keyPrefix, { sub: userId, sid: id, ttlSec: opts.revocationTtlSec });
      }
      tx.zrem(userSessionsKey(userId), ...sessionIds);
      await execRevocations(tx);
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
