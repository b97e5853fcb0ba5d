import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '@authmeet/http-kit';
import { AppError, redisScript } from '@authmeet/http-kit';
import { reserveScript, reserveUnderPassScript, settleScript, settleUnderPassScript } from './brute-force.lua.js';

/**
 * Brute-force protection for every check of a password (login, password change, account
 * deletion). The design, its thresholds and why they are what they are: README, "Brute-force
 * protection". In short, per account:
 * - each IP has a hard cap of wrong passwords per window (then 429 for that IP on that account);
 * - the account as a whole absorbs a few free failures, then admits one guess per slot, slots
 *   spaced by a doubling delay: a campaign from any number of IPs is slowed, never stopped cold;
 * - IPs that logged in to the account recently are trusted and skip the per-account layer, and
 *   IPs with no failures get a small separate allowance: the owner is not locked out by others.
 * Every check is reserved (counted) atomically before any hashing, so parallel guesses count.
 */
export interface LoginThrottleConfig {
  /** Wrong passwords from one IP on one account per window; then that IP is refused. */
  ipMax: number;
  windowSec: number;
  /** Failures on an account (from untrusted IPs) per sliding window before it is slowed. */
  accountFreeFailures: number;
  /** Checks from IPs with no failure on a slowed account, per window, outside the slots. */
  cleanIpAttempts: number;
  /** The longest spacing between slots of a slowed account. */
  maxDelaySec: number;
  /** How long a request may be held for its slot; a later slot is a 429 with Retry-After. */
  maxWaitMs: number;
  /** How long an IP that logged in stays trusted for the account. */
  trustedTtlSec: number;
}

const reserveScripts = { plain: redisScript<[number, number, number, string?]>(reserveScript), underPass: redisScript<[number, number, number, string?]>(reserveUnderPassScript) };
const settleScripts = { plain: redisScript<number>(settleScript), underPass: redisScript<number>(settleUnderPassScript) };

/** The first slot delay; it doubles with each slotted guess up to `maxDelaySec`. */
const BASE_DELAY_MS = 1000;
/** Trusted IPs remembered per account (the most recent win). */
const TRUSTED_MAX = 10;

/** An account, or for identifiers that match none the identifier itself, so the limit is no oracle. */
export type ThrottleSubject = { userId: string } | { identifier: string };

interface Reservation {
  keys: [string, string];
  ip: string;
  lane: number;
}

/**
 * A one-time key a check is made under: a pending login's mfaToken, a hash in the account's
 * hash slot ({u:<id>}), so the throttle's scripts can read and take it in the same step.
 */
export interface OneTimePass {
  key: string;
  /** The field the reservation reads (and answers) from the pass. */
  field: string;
}

/** A check under a pass: not made (the pass is gone), or made, and whether this caller took the pass. */
export type PassCheck<T> = { status: 'no_pass' } | { status: 'checked'; value: string; result: T; taken: boolean };

const sha = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

function keysFor(subject: ThrottleSubject): [string, string] {
  // No emails in Redis: unknown identifiers are hashed. One hash tag per account: a user's
  // throttle keys share the slot of their session keys ({u:<id>}).
  const tag = 'userId' in subject ? `{u:${subject.userId}}` : `{i:${sha(subject.identifier.trim().toLowerCase())}}`;
  return [`bf:${tag}:f`, `bf:${tag}:t`];
}

export function createLoginThrottle(redis: RedisClient, config: LoginThrottleConfig) {
  const windowMs = config.windowSec * 1000;
  const maxDelayMs = config.maxDelaySec * 1000;

  /** The reservation, and with a pass its field's value (undefined when the pass is gone: nothing reserved). */
  async function reserve(subject: ThrottleSubject, ip: string, pass?: OneTimePass): Promise<{ reservation: Reservation; value: string } | undefined> {
    const keys = keysFor(subject);
    const ipHash = sha(ip);
    const [admitted, lane, ms, value] = await (pass ? reserveScripts.underPass : reserveScripts.plain)(
      redis,
      pass ? 3 : 2,
      ...keys,
      ...(pass ? [pass.key] : []),
      ipHash,
      config.ipMax,
      windowMs,
      config.accountFreeFailures,
      config.cleanIpAttempts,
      BASE_DELAY_MS,
      maxDelayMs,
      config.maxWaitMs,
      ...(pass ? [pass.field] : []),
    );
    if (admitted === -1) return undefined;
    if (admitted !== 1) {
      throw new AppError('RATE_LIMITED', { detail: 'Too many wrong passwords; try again later', retryAfter: Math.max(1, Math.ceil(ms / 1000)) });
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the wait is never negative, and sleeping 0 ms is not waiting
    if (ms > 0) await sleep(ms);
    return { reservation: { keys, ip: ipHash, lane }, value: value ?? '' };
  }

  /** Settles; under a pass, "ok" takes it too and answers whether this caller did. */
  async function settle(r: Reservation, outcome: 'ok' | 'undo', pass?: OneTimePass): Promise<boolean> {
    const keys = pass ? [...r.keys, pass.key] : r.keys;
    const taken = await (pass ? settleScripts.underPass : settleScripts.plain)(redis, keys.length, ...keys, r.ip, r.lane, outcome, config.trustedTtlSec * 1000, TRUSTED_MAX);
    return taken === 1;
  }

  /** Runs `check` on an admitted reservation; a check that throws is refunded. */
  async function checked<T>(reservation: Reservation, check: () => Promise<T>, pass?: OneTimePass): Promise<T> {
    try {
      return await check();
    } catch (error) {
      // Best effort: the original error (a 503, typically) is what the client must see.
      // Stryker disable next-line StringLiteral: the settle script treats every outcome but 'ok' as undo
      await settle(reservation, 'undo', pass).catch(() => undefined);
      throw error;
    }
  }

  return {
    /**
     * Runs `check` (a password verification) only if the throttle admits it, counting it first.
     * A right password refunds the count and trusts the IP; a check that could not run at all
     * (the hasher refused it) is refunded; a wrong one stays counted. With `firstFactorOnly` (a
     * right password of a user with MFA on) the check is refunded but nothing is forgiven: the
     * IP's failures stay and it earns no trust until the second factor passes too, so knowing the
     * password does not reset the count of wrong codes.
     */
    async guard<T extends { ok: boolean }>(subject: ThrottleSubject, ip: string, check: () => Promise<T>, opts: { firstFactorOnly?: boolean } = {}): Promise<T> {
      const reserved = await reserve(subject, ip);
      // Stryker disable next-line ConditionalExpression: without a pass there is always a reservation; this is for the types
      if (!reserved) throw new Error('reservation without a pass answered no pass');
      const result = await checked(reserved.reservation, check);
      // Stryker disable next-line StringLiteral: any outcome but 'ok' is undo ('ok' itself is pinned by the tests)
      if (result.ok) await settle(reserved.reservation, opts.firstFactorOnly ? 'undo' : 'ok');
      return result;
    },
    /**
     * `guard` for a check made under a one-time pass (a second login step under its mfaToken),
     * with the pass's round trips folded into the throttle's: the reservation also reads the
     * pass's field (a pass that is gone refuses the check before anything is counted) and the
     * settle of a right answer also takes the pass, so exactly one right answer gets it. A wrong
     * answer stays counted and leaves the pass; a check that throws is refunded and leaves it too.
     */
    async guardUnderPass<T extends { ok: boolean }>(subject: { userId: string }, ip: string, pass: OneTimePass, check: (value: string) => Promise<T>): Promise<PassCheck<T>> {
      const reserved = await reserve(subject, ip, pass);
      if (!reserved) return { status: 'no_pass' };
      const result = await checked(reserved.reservation, () => check(reserved.value), pass);
      const taken = result.ok && (await settle(reserved.reservation, 'ok', pass));
      return { status: 'checked', value: reserved.value, result, taken };
    },
    /** After a password reset: whoever was guessing starts from nothing (trusted IPs stay). */
    async clear(subject: ThrottleSubject): Promise<void> {
      await redis.del(keysFor(subject)[0]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
