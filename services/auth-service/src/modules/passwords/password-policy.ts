import { AppError } from '@authmeet/http-kit';
import type Tinypool from 'tinypool';
import { z } from 'zod';
import { onFirstUse } from '../../on-first-use.js';
import type { OnFirstUse } from '../../on-first-use.js';
import type { StrengthResult, StrengthTask } from './password-strength.worker.js';

export const MIN_PASSWORD_SCORE = 3;

/**
 * Only this many leading characters are estimated. The score is a guess count: once the first
 * 64 characters are strong, more cannot make the password weaker, and zxcvbn's cost grows much
 * faster than linearly with length.
 */
export const ESTIMATED_CHARS = 64;
/** The user-derived dictionary: few, short words, so long names cannot inflate the work. */
const MAX_USER_WORDS = 12;
const MAX_USER_WORD_CHARS = 64;

/** Shape rules, checked by the request schema so each failure is a field error. */
export const passwordShape = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters')
  .regex(/[a-z]/, 'must contain a lower-case letter')
  .regex(/[A-Z]/, 'must contain an upper-case letter')
  .regex(/[0-9]/, 'must contain a digit')
  .regex(/[^A-Za-z0-9]/, 'must contain a symbol')
  .meta({ examples: ['Analytical-Engine-1843'] });

/** The user's email, username and names, and their parts, as dictionary words for zxcvbn. */
export function userDictionary(values: (string | null | undefined)[]): string[] {
  const words = values
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .flatMap((v) => [v, ...v.split(/[\s@._+-]/)])
    .map((v) => v.slice(0, MAX_USER_WORD_CHARS).toLowerCase())
    .filter((v) => v.length >= 3);
  return [...new Set(words)].slice(0, MAX_USER_WORDS);
}

export interface PasswordPolicyOptions {
  /** Worker threads estimating strength (each holds zxcvbn's dictionaries: ~32 MB of heap, ~40 MB resident). */
  threads: number;
  /** Estimations allowed to wait for a thread; beyond that the request is refused with 503. */
  maxQueue: number;
  /**
   * How long a thread may sit without an estimate before it ends, giving its memory back; the
   * next estimate starts one again (its dictionaries load in ~0.2–1 s, off the event loop).
   * 0: the threads start with the app and live as long as it.
   */
  idleTimeoutMs: number;
}

export interface PasswordPolicy {
  /** Throws a field error naming `path` when the password is too weak for this user. */
  assertStrong(password: string, userInputs: (string | null | undefined)[], path: string): Promise<void>;
  /**
   * With threads for the app's life (`idleTimeoutMs` 0), resolves once each has loaded zxcvbn's
   * dictionaries (part of starting the app); with threads on demand, at once.
   */
  warm(): Promise<void>;
  /** Threads running now (each holding the dictionaries). */
  threads(): number;
  close(): Promise<void>;
}

// Compiled, this module sits next to the worker's .js; from source (tests, tsx), next to its .ts.
const workerFile = new URL(import.meta.url.endsWith('.ts') ? './password-strength.worker.ts' : './password-strength.worker.js', import.meta.url);

interface SharedPool {
  /**
   * The pool, made (and tinypool loaded) with the first estimate, or with the warm-up when
   * threads are kept: a replica that checks no password holds neither (root README, "Memory").
   */
  pool: OnFirstUse<Tinypool>;
  /** The thread count the pool is made with (`maxThreads`). */
  maxThreads: number;
  /** How long an idle thread lives; 0 keeps `maxThreads` threads for the app's life. */
  idleTimeoutMs: number;
  holders: number;
  warmed: Promise<void> | undefined;
}

/** Threads started with the pool and kept (0 when threads start on demand). */
const keptThreads = (held: SharedPool) => (held.idleTimeoutMs > 0 ? 0 : held.maxThreads);

/**
 * One pool per process, like libuv's threadpool: the threads are a per-process CPU budget, and
 * each holds its own copy of the dictionaries (seconds of CPU to build on a loaded machine), so
 * apps built in one process (tests, a second replica in-process) share them. The first app's
 * thread count wins; the pool goes when the last app using it closes.
 */
let shared: SharedPool | undefined;

/**
 * A thread's young generation. V8 sizes it for allocation-heavy main threads (tens of MB per
 * thread, mostly committed and kept); a strength check allocates little once the dictionaries
 * (~32 MB of old space) are built, and the smaller nursery keeps ~20 MB less resident per thread.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

function acquirePool(maxThreads: number, idleTimeoutMs: number): SharedPool {
  const onDemand = idleTimeoutMs > 0;
  shared ??= {
    pool: onFirstUse(() =>
      import('tinypool').then(
        ({ default: Pool }) =>
          new Pool({
            filename: workerFile.href,
            // On demand, a replica that sees no registration or password change holds no
            // dictionaries: ~40 MB of its idle memory (the image's budget counts them for a busy replica).
            minThreads: onDemand ? 0 : maxThreads,
            maxThreads,
            ...(onDemand ? { idleTimeout: idleTimeoutMs } : {}),
            resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
          }),
      ),
    ),
    maxThreads,
    idleTimeoutMs,
    holders: 0,
    warmed: undefined,
  };
  shared.holders += 1;
  return shared;
}

/**
 * Strength: zxcvbn score ≥ 3 with the user's own email, username and names as dictionary words,
 * so "alice2024!Alice" does not pass for alice. The estimate runs in worker threads: on the
 * event loop, one adversarial 128-character password stalled every other request for seconds.
 */
export function createPasswordPolicy(opts: PasswordPolicyOptions): PasswordPolicy {
  const held = acquirePool(opts.threads, opts.idleTimeoutMs);
  let closed = false;
  return {
    async assertStrong(password, userInputs, path) {
      const pool = await held.pool();
      // Checked after the await and followed by `run` in the same turn, so the bound stays exact.
      if (pool.queueSize >= opts.maxQueue) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'Too many password checks in progress; retry shortly', retryAfter: 1 });
      }
      const task: StrengthTask = { password: password.slice(0, ESTIMATED_CHARS), userInputs: userDictionary(userInputs) };
      const result = (await pool.run(task)) as StrengthResult;
      if (result.score >= MIN_PASSWORD_SCORE) return;
      const message = `is too weak${result.hint ? `: ${result.hint}` : ''}`;
      throw new AppError('VALIDATION_FAILED', { errors: [{ path, message }] });
    },
    warm() {
      // One task per kept thread (a thread runs one at a time), so each loads its dictionaries now
      // rather than during the first registration, or while a new replica answers readiness.
      // Threads on demand load them with the first estimate instead.
      const task: StrengthTask = { password: 'warm-up', userInputs: [] };
      const kept = keptThreads(held);
      held.warmed ??= kept === 0 ? Promise.resolve() : held.pool().then((pool) => Promise.all(Array.from({ length: kept }, () => pool.run(task)))).then(() => undefined);
      return held.warmed;
    },
    threads: () => held.pool.value?.threads.length ?? 0,
    async close() {
      if (closed) return;
      closed = true;
      held.holders -= 1;
      if (held.holders > 0) return;
      if (shared === held) shared = undefined;
      await held.pool.ifStarted((pool) => pool.destroy());
    },
  };
}
