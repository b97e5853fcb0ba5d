import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { backlogGauge, createPollingWorker, deadLetterCommand, exponentialBackoff, mapConcurrently } from '../src/index.js';

describe('createPollingWorker', () => {
  it('runs batches back to back while there is work, then sleeps until kicked', async () => {
    const queue = [3, 2, 0];
    let batches = 0;
    const worker = createPollingWorker({
      pollMs: 60_000,
      runOnce: async () => {
        batches += 1;
        return { handled: queue.shift() ?? 0 };
      },
      onBatchError: () => undefined,
    });
    worker.start();
    await expect.poll(() => batches).toBe(3);
    queue.push(1, 0);
    worker.kick();
    await expect.poll(() => batches).toBe(5);
    await worker.stop();
    expect(worker.running).toBe(false);
  });

  it('reports a failed batch and keeps going; stop waits for the batch in flight', async () => {
    const errors: unknown[] = [];
    let finished = 0;
    let calls = 0;
    const worker = createPollingWorker({
      pollMs: 5,
      runOnce: async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 20));
        finished += 1;
        return { handled: 0 };
      },
      onBatchError: (error) => errors.push(error),
    });
    worker.start();
    worker.start(); // a second start is a no-op
    await expect.poll(() => calls).toBeGreaterThanOrEqual(2);
    await worker.stop();
    expect(errors).toHaveLength(1);
    expect(finished).toBe(calls - 1);
  });

  it('sleeps waitMs when a batch says the far side is down', async () => {
    let calls = 0;
    const worker = createPollingWorker({
      pollMs: 1,
      runOnce: async () => {
        calls += 1;
        return { handled: 1, waitMs: 60_000 };
      },
      onBatchError: () => undefined,
    });
    worker.start();
    await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    expect(calls).toBe(1);
  });
});

describe('worker helpers', () => {
  it('mapConcurrently keeps order and the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const run = mapConcurrently(2, async (n: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return n * 2;
    });
    expect(await run([1, 2, 3, 4, 5])).toEqual([2, 4, 6, 8, 10]);
    expect(peak).toBe(2);
  });

  it('exponentialBackoff doubles, caps and jitters into [half, full)', () => {
    const backoff = exponentialBackoff({ baseMs: 100, maxMs: 1000, maxExponent: 20 });
    for (let i = 0; i < 20; i += 1) {
      expect(backoff(0)).toBeGreaterThanOrEqual(50);
      expect(backoff(0)).toBeLessThan(100);
      expect(backoff(2)).toBeGreaterThanOrEqual(200);
      expect(backoff(30)).toBeLessThan(1000);
      expect(backoff(30)).toBeGreaterThanOrEqual(500);
    }
  });

  it('backlogGauge reports pending and dead at scrape time, sharing one cached read', async () => {
    const registry = new Registry();
    let reads = 0;
    const stats = backlogGauge(registry, {
      name: 'test_backlog',
      help: 'test',
      cacheMs: 10_000,
      stats: async () => {
        reads += 1;
        return { pending: 4, dead: 1 };
      },
    });
    const text = await registry.metrics();
    expect(text).toContain('test_backlog{state="pending"} 4');
    expect(text).toContain('test_backlog{state="dead"} 1');
    await stats();
    expect(reads).toBe(1);
  });
});

describe('deadLetterCommand', () => {
  const rows = [{ id: 7n }, { id: 9n }];
  const make = (log: string[]) =>
    deadLetterCommand({
      name: 'queue:dead-letters',
      pkg: '@authmeet/example',
      file: 'queue-replay',
      noun: 'dead row',
      replays: 'retry',
      reads: 'Reads nothing.',
      open: () => ({
        store: {
          listDead: async () => rows,
          replayDead: async (ids?: bigint[]) => {
            log.push(`replay ${ids?.join(',') ?? 'all'}`);
            return ids?.length ?? rows.length;
          },
        },
        close: async () => {
          log.push('closed');
        },
      }),
      format: (row) => `row ${row.id}`,
    });

  it('lists, replays some or all, and always closes', async () => {
    const log: string[] = [];
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(`E ${l}`) };
    const { main } = make(log);
    expect(await main([], io)).toBe(0);
    expect(await main(['--replay', '--id', '9'], io)).toBe(0);
    expect(await main(['--replay'], io)).toBe(0);
    expect(out).toEqual(['row 7', 'row 9', 'replayed 1 dead row(s)', 'replayed 2 dead row(s)']);
    expect(log).toEqual(['closed', 'replay 9', 'closed', 'replay all', 'closed']);
  });

  it('refuses --id without --replay before opening anything', async () => {
    const log: string[] = [];
    const err: string[] = [];
    const { main } = make(log);
    expect(await main(['--id', '3'], { out: () => undefined, err: (l) => err.push(l) })).toBe(2);
    expect(err[0]).toBe('queue:dead-letters: --id only goes with --replay');
    expect(err.join('\n')).toContain('pnpm --filter @authmeet/example queue:dead-letters');
    expect(log).toEqual([]);
  });
});
