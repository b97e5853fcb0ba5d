import { createServer } from 'node:net';
import { Socket } from 'node:net';
import { freePort } from '@authmeet/test-kit';

export interface TcpProxy {
  port: number;
  /** Connections clients opened since start (also while cut): how hard they are retrying. */
  readonly attempts: number;
  /** Down: every open connection is reset, and so is every new one at once (a crashed peer). */
  cut(): void;
  /** A black hole: connections stay open (and new ones are accepted) but no byte moves. */
  freeze(): void;
  /** Back to forwarding; bytes held while frozen flow on. */
  restore(): void;
  close(): Promise<void>;
}

type Mode = 'forward' | 'cut' | 'frozen';

/**
 * A TCP proxy on a free loopback port in front of `targets` (round robin per connection, a
 * stand-in for a Service in front of replicas), for faults a process signal cannot make: a
 * peer that vanishes for a while, or one that swallows requests. It keeps listening while cut
 * and resets each connection, so it can count the attempts.
 */
export async function startProxy(targets: number[]): Promise<TcpProxy> {
  const port = await freePort();
  let nextTarget = 0;
  const pairs = new Set<{ client: Socket; upstream: Socket; held: [Socket, Buffer][] }>();
  let mode: Mode = 'forward';
  let attempts = 0;

  const server = createServer((client) => {
    attempts += 1;
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair = { client, upstream, held: [] as [Socket, Buffer][] };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    const relay = (to: Socket) => (data: Buffer) => {
      if (mode === 'frozen') pair.held.push([to, data]);
      else to.write(data);
    };
    client.on('data', relay(upstream)).on('error', end).on('close', end);
    upstream.on('data', relay(client)).on('error', end).on('close', end);
    upstream.connect(targets[nextTarget++ % targets.length] ?? 0, '127.0.0.1');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    port,
    get attempts() {
      return attempts;
    },
    cut() {
      mode = 'cut';
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    freeze() {
      mode = 'frozen';
    },
    restore() {
      mode = 'forward';
      for (const pair of pairs) for (const [to, data] of pair.held.splice(0)) to.write(data);
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
