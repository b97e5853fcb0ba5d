import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { collectStartupGarbage } from './startup-gc.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** Longest a graceful shutdown may drain requests before the process exits anyway. */
  shutdownGraceMs: number;
}

/**
 * How long a kept-alive connection may stay quiet during a drain before it is closed. A client
 * that is using the connection sends its next request well within this and gets the 503 with
 * `Connection: close`; only a connection idle for the whole window is cut, exactly as its
 * keep-alive timeout would have cut it. Counted in event-loop turns of TICK_MS, not wall time:
 * after the loop was stalled (a loaded machine), requests may sit unread in socket buffers, and
 * every turn reads them before the next check.
 */
const QUIET_TURNS = 40;
const TICK_MS = 25;

const connectionCount = (server: NetServer) =>
  new Promise<number>((resolve) => server.getConnections((err, count) => resolve(err ? 0 : count)));

/**
 * Listens, and on SIGTERM/SIGINT drains: stop accepting connections, finish every request
 * already received, answer requests arriving on kept-alive connections with the contract's
 * 503 and `Connection: close`, end event streams (the app's preClose hooks), run the close
 * hooks (workers, Prisma, Redis) once the last connection is gone, exit 0. A hard stop (exit 1)
 * follows the grace period, well before Kubernetes' own SIGKILL. Before listening, start-up's
 * garbage is collected (see collectStartupGarbage).
 */
export async function serve(app: FastifyInstance, opts: ServeOptions): Promise<void> {
  let closing = false;
  // Node's closeIdleConnections() leaves a connection that never sent a byte (a browser's
  // speculative preconnect, a slow or hostile client) open, and close() would wait for it until
  // the grace period ran out. Such a connection has no request to lose: the drain closes it too.
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const closeSilentConnections = () => {
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
  };
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out');
      process.exit(1);
    }, opts.shutdownGraceMs);
    timer.unref();
    app.drain.begin();
    // Stop listening, but not with http.Server#close: that also destroys every idle kept-alive
    // connection at once, resetting requests clients have already sent on them. A refused
    // connection is safe for a client (nothing was sent); a reset one is not.
    NetServer.prototype.close.call(app.server);
    let requests = 0;
    app.server.on('request', () => {
      requests += 1;
    });
    for (let quiet = 0, seen = requests; quiet < QUIET_TURNS && (await connectionCount(app.server)) > 0; ) {
      await new Promise((r) => setTimeout(r, TICK_MS));
      quiet = requests === seen ? quiet + 1 : 0;
      seen = requests;
    }
    // From here on a connection goes idle only after a response that said `Connection: close`
    // or after an event stream ended: close each as soon as it is idle so close() can finish.
    const reaper = setInterval(() => {
      app.server.closeIdleConnections();
      closeSilentConnections();
    }, 50);
    reaper.unref();
    try {
      await app.close();
      clearInterval(reaper);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.ready();
  collectStartupGarbage();
  await app.listen({ host: opts.host, port: opts.port });
}
