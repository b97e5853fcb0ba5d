import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@authmeet/test-kit';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  port: number;
  url: string;
  /** Starts it again on the same port; `dataLoss` deletes its append-only file first. */
  start(opts?: { dataLoss?: boolean }): Promise<void>;
  /** Kills it (SIGKILL): nothing is flushed beyond what the append-only file already has. */
  stop(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers (a stalled host, a long GC pause). */
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

/**
 * A redis-server of its own on a free port. It persists with an append-only file fsynced on
 * every write, so `stop()` + `start()` is a restart that keeps its data and
 * `start({ dataLoss: true })` one that lost it.
 */
export async function startRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const ping = async () => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // not up yet: the loop asks again
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start(opts = {}) {
      if (opts.dataLoss) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
      }
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--hash-max-listpack-value', '256'], {
        stdio: 'ignore',
      });
      for (let i = 0; i < 200; i += 1) {
        if (await ping()) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`redis-server on ${port} did not start`);
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    async destroy() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
