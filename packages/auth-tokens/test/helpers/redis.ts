import { randomUUID } from 'node:crypto';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { sessionAliveKey } from '../../src/index.js';

const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
export const REDIS_HOST = REDIS_URL.hostname;
export const REDIS_PORT = Number(REDIS_URL.port || 6379);

/** A keyPrefix unique to one test file run, so parallel files never see each other's data. */
export function uniquePrefix(file: string): string {
  return `test:auth-tokens:${file}:${randomUUID()}:`;
}

/** Test clients retry fast and give up on queued commands quickly, so outages show up in ms. */
export function createClient(options: RedisOptions = {}): Redis {
  return new Redis({
    host: REDIS_HOST,
    port: REDIS_PORT,
    retryStrategy: () => 50,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    ...options,
  });
}

/** What the auth-service does at login: the session exists, so views confirm it as live. */
export async function openSession(client: Redis, sub: string, sid: string, ttlSec = 900): Promise<void> {
  await client.set(sessionAliveKey(sub, sid), 'live', 'EX', ttlSec);
}

/** Remove every key under `prefix` (test cleanup), then close the admin connection. */
export async function deleteKeysWithPrefix(prefix: string): Promise<void> {
  const admin = createClient();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}

/** Poll `predicate` every 10 ms; throw if it is still false after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface TcpProxy {
  readonly port: number;
  /** Refuse and drop every connection (Redis "unreachable"). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** Keep connections open but stop moving bytes (a silently dead network path). */
  pause(): void;
  resume(): void;
}

/** A TCP forwarder in front of Redis that tests can cut, restore, or stall. */
export async function startTcpProxy(targetHost = REDIS_HOST, targetPort = REDIS_PORT): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  /** Bytes held back while paused, per destination socket, delivered in order on resume. */
  const held = new Map<Socket, Buffer[]>();
  let paused = false;
  let server: Server | undefined;
  let port = 0;

  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => {
      if (paused) held.set(to, [...(held.get(to) ?? []), chunk]);
      else to.write(chunk);
    });
  };

  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      forward(client, upstream);
      forward(upstream, client);
      const drop = (): void => {
        pairs.delete(pair);
        held.delete(client);
        held.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    async stop() {
      const current = server;
      server = undefined;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      if (current !== undefined) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    start: listen,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const [to, chunks] of held) for (const chunk of chunks) to.write(chunk);
      held.clear();
    },
  };
}
