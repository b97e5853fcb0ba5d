import pLimit from 'p-limit';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { createWaker } from './waker.js';
import type { Waker } from './waker.js';

/** What one batch of a polling worker did: how much it handled, and how long to stay away. */
export interface BatchOutcome {
  handled: number;
  /** The far side is down (breaker open, retries exhausted): sleep this long, not `pollMs`. */
  waitMs?: number;
}

export interface PollingWorkerOptions {
  /** One batch: claims work, does it, records the outcome. Also what `runOnce` runs. */
  runOnce: () => Promise<BatchOutcome>;
  /** Runs after every batch of the loop (not after `runOnce`), inside the same error handling. */
  afterBatch?: () => Promise<void>;
  /** How long the loop sleeps when a batch found nothing (or failed). */
  pollMs: number;
  /** Cuts sleeps short: a wake-up while a batch runs is remembered (see createWaker). */
  waker?: Waker;
  /** A failed batch: logged by the caller, then retried after `pollMs`. */
  onBatchError: (error: unknown) => void;
  /** Before the loop starts, and after it has stopped (e.g. a LISTEN connection). */
  onStart?: () => void;
  onStop?: () => Promise<void>;
}

/**
 * The skeleton of a background queue worker (outbox relay, mail worker): a loop that runs one
 * batch after another while there is work, sleeps `pollMs` (cut short by its waker) when there
 * is none, and stops cleanly, waiting for the batch in flight. Safe to start twice.
 */
export function createPollingWorker(opts: PollingWorkerOptions) {
  const waker = opts.waker ?? createWaker();
  let running = false;
  let loop: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (running) {
      let outcome: BatchOutcome = { handled: 0 };
      try {
        outcome = await opts.runOnce();
        await opts.afterBatch?.();
      } catch (error) {
        opts.onBatchError(error);
      }
      if (!running) break;
      if (outcome.waitMs !== undefined) await waker.sleep(outcome.waitMs);
      else if (outcome.handled === 0) await waker.sleep(opts.pollMs);
    }
  }

  return {
    get running() {
      return running;
    },
    start(): void {
      if (running) return;
      running = true;
      opts.onStart?.();
      loop = run();
    },
    async stop(): Promise<void> {
      running = false;
      waker.wake();
      await loop;
      await opts.onStop?.();
    },
    /** New work was queued here: run the next batch now rather than at the next poll. */
    kick(): void {
      waker.wake();
    },
    runOnce: opts.runOnce,
  };
}

export type PollingWorker = ReturnType<typeof createPollingWorker>;

/** Runs `task` on each item, at most `concurrency` at a time; resolves to the results in order. */
export function mapConcurrently<T, R>(concurrency: number, task: (item: T) => Promise<R>) {
  const limit = pLimit(concurrency);
  return (items: readonly T[]): Promise<R[]> => Promise.all(items.map((item) => limit(() => task(item))));
}

/**
 * Exponential backoff with jitter: `baseMs · 2^min(n, maxExponent)`, capped at `maxMs`, then
 * scaled by a random factor in [0.5, 1) so that failed rows do not come back in step.
 */
export function exponentialBackoff(opts: { baseMs: number; maxMs: number; maxExponent: number }) {
  return (n: number) => Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n, opts.maxExponent)) * (0.5 + Math.random() / 2);
}

/** The two states every queue of this system reports (pending work, dead letters). */
export interface BacklogStats {
  pending: number;
  dead: number;
}

/**
 * A `<name>` gauge labelled by `state` (pending, dead), read from the queue's own table at scrape
 * time. Returns the stats reader, cached for `cacheMs` so that further gauges can share one query.
 */
export function backlogGauge<S extends BacklogStats>(
  registry: Registry | undefined,
  opts: { name: string; help: string; stats: () => Promise<S>; cacheMs?: number },
): () => Promise<S> {
  let cached: { at: number; value: Promise<S> } | undefined;
  const stats = () => {
    if (!opts.cacheMs) return opts.stats();
    if (!cached || Date.now() - cached.at > opts.cacheMs) cached = { at: Date.now(), value: opts.stats() };
    return cached.value;
  };
  if (registry) {
    new Gauge({
      name: opts.name,
      help: opts.help,
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const s = await stats();
        this.set({ state: 'pending' }, s.pending);
        this.set({ state: 'dead' }, s.dead);
      },
    });
  }
  return stats;
}
