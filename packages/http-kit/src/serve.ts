import { Server as NetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface ServeOptions {
  host: string;
  port: number;
  /** Longest a graceful shutdown may drain requests before the process exits anyway. */
  shutdownGraceMs: number;
}

/**
 * How long a kept-alive connection may stay idle during a drain before it is closed. A client
 * that is using the connection sends its next request well within this and gets the 503 with
 * `Connection: close`; only a connection idle for the whole window is cut, exactly as its
 * keep-alive timeout would have cut it.
 */
const IDLE_WINDOW_MS = 1_000;

const connectionCount = (server: NetServer) =>
  new Promise<number>((resolve) => server.getConnections((err, count) => resolve(err ? 0 : count)));

/**
 * Listens, and on SIGTERM/SIGINT drains: stop accepting connections, finish every request
 * already received, answer requests arriving on kept-alive connections with the contract's
 * 503 and `Connection: close`, end event streams (the app's preClose hooks), run the close
 * hooks (workers, Prisma, Redis) once the last connection is gone, exit 0. A hard stop (exit 1)
 * follows the grace period, well before Kubernetes' own SIGKILL.
 */
export async function serve(app: FastifyInstance, opts: ServeOptions): Promise<void> {
  let closing = false;
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
    const windowEnds = Date.now() + IDLE_WINDOW_MS;
    while (Date.now() < windowEnds && (await connectionCount(app.server)) > 0) await new Promise((r) => setTimeout(r, 25));
    // From here on a connection goes idle only after a response that said `Connection: close`
    // or after an event stream ended: close each as soon as it is idle so close() can finish.
    const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
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
  await app.listen({ host: opts.host, port: opts.port });
}
