import type { FastifyInstance } from 'fastify';

export interface ServeOptions {
  host: string;
  port: number;
  /** Longest a graceful shutdown may drain requests before the process exits anyway. */
  shutdownGraceMs: number;
}

/**
 * Listens, and on SIGTERM/SIGINT drains: stop accepting, finish in-flight requests, run the
 * app's close hooks (workers, Prisma, Redis), exit. A hard stop follows the grace period, well
 * before Kubernetes' own SIGKILL.
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
    // A keep-alive connection whose last response finishes during the drain would otherwise stay
    // open (Node closes only the connections idle when close() starts) and hold close() until
    // the grace timer fires: close each one as soon as it goes idle.
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
