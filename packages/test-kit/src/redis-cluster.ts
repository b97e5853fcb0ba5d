import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

export interface RedisClusterHandle {
  /** `redis://127.0.0.1:<port>` per primary. */
  readonly nodes: string[];
  /** The node list joined by commas: the form REDIS_URL takes with REDIS_MODE=cluster. */
  readonly url: string;
  /** Kill one primary (a node failure); the others keep running. */
  stopNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port whose cluster bus port (port + 10000) is free as well. Taken from 20000–29999, below
 * the kernel's ephemeral range, so the bus port stays valid and rarely collides with clients.
 */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (taken.has(port)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10000))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Redis Cluster: timed out waiting for ${what}`);
}

/**
 * A private Redis Cluster of `primaries` primaries and no replicas, started from `redis-server`
 * in a temp dir on free ports, without persistence. Never touches the shared Redis on 6379.
 * `stop()` kills the nodes and removes the dir.
 */
export async function startRedisCluster(opts: { primaries?: number } = {}): Promise<RedisClusterHandle> {
  const primaries = opts.primaries ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'authmeet-redis-cluster-'));
  const taken = new Set<number>();
  const children: ChildProcess[] = [];
  const kill = (child: ChildProcess | undefined) =>
    new Promise<void>((resolve) => {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(kill));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < primaries; i++) {
      const port = await clusterPort(taken);
      ports.push(port);
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '5000',
          '--dir', dir,
          '--save', '',
          '--appendonly', 'no',
          '--daemonize', 'no',
          '--loglevel', 'warning',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
    }
    await Promise.all(ports.map((port) => until(`node ${port} to answer`, async () => (await cli(port, 'PING')).trim() === 'PONG')));
    await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    // Every node must know the full slot map before clients connect, or they see CLUSTERDOWN.
    await Promise.all(
      ports.map((port) =>
        until(`node ${port} to report cluster_state:ok`, async () => (await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')),
      ),
    );
    const nodes = ports.map((p) => `redis://127.0.0.1:${p}`);
    return { nodes, url: nodes.join(','), stopNode: (index) => kill(children[index]), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A private cluster for one test file: started before its tests, removed after them. For
 * tests that need a cluster of their own (to kill a node) whatever the test mode.
 */
export function usePrivateRedisCluster(): () => RedisClusterHandle {
  let cluster: RedisClusterHandle | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('the private Redis Cluster is not started yet');
    return cluster;
  };
}
