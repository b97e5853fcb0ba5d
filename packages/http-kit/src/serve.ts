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
    try {
      await app.close();
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
