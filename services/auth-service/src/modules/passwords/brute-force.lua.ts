/**
 * Lua for the login throttle (login-throttle.ts). Each script touches only the two keys of one
 * account, which share a hash tag, so it runs atomically on one Redis Cluster slot. Time comes
 * from Redis itself, so replicas with skewed clocks agree.
 *
 * KEYS[1] failures hash: `n` failures counted on the account in the sliding window, `last` when
 *         the last one was counted, `next` the earliest free slot once slowed, `clean` attempts
 *         used by clean IPs, and `ip:<hash>` = "<count>:<window start>" per IP.
 * KEYS[2] trusted IPs: sorted set of IP hashes → trusted until (ms).
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Reserves one password check. ARGV: ipHash, ipMax, windowMs, freeFailures, cleanAttempts,
 * baseDelayMs, maxDelayMs, maxWaitMs. Returns {1, lane, waitMs} when admitted (the caller waits
 * waitMs for its slot) or {0, 0, retryAfterMs} when refused. Lanes: 1 trusted IP, 2 counted on the
 * account, 3 clean-IP allowance. A refused attempt writes nothing, so refusals cost no memory.
 */
const reserveBody = `
local f, tr = KEYS[1], KEYS[2]
local ipf = 'ip:' .. ARGV[1]
local ipMax, win, free, cleanMax = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local base, maxDelay, maxWait = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local ipCount, ipStart = 0, now
local raw = redis.call('HGET', f, ipf)
if raw then
  local c, s = string.match(raw, '^(%d+):(%d+)$')
  if c and now < tonumber(s) + win then ipCount, ipStart = tonumber(c), tonumber(s) end
end
if ipCount >= ipMax then return {0, 0, ipStart + win - now} end

local lane, wait = 1, 0
if tonumber(redis.call('ZSCORE', tr, ARGV[1]) or 0) <= now then
  local s = redis.call('HMGET', f, 'n', 'last', 'next', 'clean')
  local n, last, nextAt, clean = tonumber(s[1]) or 0, tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0
  if now >= last + win then n, nextAt, clean = 0, 0, 0 end
  if n < free then
    lane, n = 2, n + 1
  elseif ipCount == 0 and clean < cleanMax then
    lane, clean = 3, clean + 1
  else
    local slot = math.max(nextAt, now)
    wait = slot - now
    if wait > maxWait then return {0, 0, wait} end
    lane, n = 2, n + 1
    nextAt = slot + math.floor(math.min(base * 2 ^ math.min(n - free - 1, 40), maxDelay))
  end
  redis.call('HSET', f, 'n', n, 'last', now, 'next', nextAt, 'clean', clean)
end
redis.call('HSET', f, ipf, (ipCount + 1) .. ':' .. ipStart)
-- Fields of IPs whose window has passed are dropped once the hash grows.
if redis.call('HLEN', f) > 256 then
  local all = redis.call('HGETALL', f)
  for i = 1, #all, 2 do
    local s = string.match(all[i + 1], ':(%d+)$')
    if string.sub(all[i], 1, 3) == 'ip:' and s and now >= tonumber(s) + win then redis.call('HDEL', f, all[i]) end
  end
end
redis.call('PEXPIRE', f, win + maxDelay)
return {1, lane, wait}`;

export const reserveScript = `${NOW}
local function reserve()${reserveBody}
end
return reserve()`;

/**
 * The reservation of a check made under a one-time pass (KEYS[3], a hash in the account's slot:
 * a pending login's mfaToken). ARGV as reserveScript, then the pass's field to read. A pass that
 * is gone refuses the check before anything is counted ({-1, 0, 0}); otherwise reserveScript's
 * answer with the field's value appended.
 */
export const reserveUnderPassScript = `${NOW}
local function reserve()${reserveBody}
end
local pass = redis.call('HGET', KEYS[3], ARGV[9])
if not pass then return {-1, 0, 0} end
local r = reserve()
r[4] = pass
return r`;

/**
 * Settles an admitted check. ARGV: ipHash, lane, outcome, trustedTtlMs, trustedMax.
 * "ok": the password was right: this IP's failures on the account are forgotten, the IP becomes
 * trusted, and the reservation is refunded. "undo": the check never ran (the hasher was full):
 * the reservation is refunded and nothing else changes.
 */
const settleBody = `
local f, tr = KEYS[1], KEYS[2]
local ipf = 'ip:' .. ARGV[1]
local lane = tonumber(ARGV[2])
if ARGV[3] == 'ok' then
  redis.call('HDEL', f, ipf)
  local ttl = tonumber(ARGV[4])
  redis.call('ZADD', tr, now + ttl, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', tr, '-inf', now)
  redis.call('ZREMRANGEBYRANK', tr, 0, -(tonumber(ARGV[5]) + 1))
  redis.call('PEXPIRE', tr, ttl)
else
  local raw = redis.call('HGET', f, ipf)
  local c, s = string.match(raw or '', '^(%d+):(%d+)$')
  if c and tonumber(c) > 0 then redis.call('HSET', f, ipf, (tonumber(c) - 1) .. ':' .. s) end
end
local field = (lane == 2 and 'n') or (lane == 3 and 'clean') or nil
if field then
  local v = tonumber(redis.call('HGET', f, field) or 0)
  if v > 0 then redis.call('HSET', f, field, v - 1) end
end`;

export const settleScript = `${NOW}${settleBody}
return 1`;

/**
 * Settles a check made under a one-time pass (KEYS[3]), ARGV as settleScript: "ok" also takes
 * the pass (deletes it) in the same step and answers 1 for the one caller that took it, 0 when
 * another did first; "undo" leaves the pass alone and answers 0.
 */
export const settleUnderPassScript = `${NOW}${settleBody}
if ARGV[3] == 'ok' then return redis.call('DEL', KEYS[3]) end
return 0`;
