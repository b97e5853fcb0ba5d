import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry: each app owns one, so tests can build several apps. */
    metrics: Registry;
  }
}

export interface MetricsOptions {
  service: string;
  defaultMetrics?: boolean;
}

/** Latency buckets shared by every request/operation histogram, so dashboards compare alike. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.service });
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // prom-client also exports these totals as gauges named `_total`, which Prometheus reserves
    // for counters; the same figures stay available, labelled by type, without the suffix.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      registry.removeSingleMetric(name);
    }
  }
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.decorate('metrics', registry);

  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: ids in paths would explode label cardinality.
    // Methods outside the standard set (any token is valid HTTP) are folded for the same reason.
    const route = request.routeOptions.url ?? 'unmatched';
    const method = STANDARD_METHODS.has(request.method) ? request.method : 'OTHER';
    duration.observe({ method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const metrics = fp(metricsPlugin, { name: 'authmeet-metrics', fastify: '5.x' });

export interface MetricsListenOptions {
  host: string;
  /** 0 turns the metrics listener off. */
  port: number;
}

/**
 * Serves `GET /metrics` on its own port. The API port is what the ingress routes and browsers
 * reach; the metrics port is opened only to the scraper (NetworkPolicy, not in the Service's
 * public routes), so operational figures (routes, error rates, backlog sizes) never leak to
 * the internet. A plain node:http server: no Fastify hooks, rate limits or request logs apply
 * to scrapes, and they never show up in the API's own request metrics.
 */
export async function serveMetrics(app: FastifyInstance, opts: MetricsListenOptions): Promise<Server | undefined> {
  if (opts.port === 0) return undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    app.metrics.metrics().then(
      (body) => res.writeHead(200, { 'content-type': app.metrics.contentType }).end(body),
      (err: unknown) => {
        app.log.error({ err }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  app.addHook('onClose', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  app.log.info({ port: opts.port }, 'metrics listening');
  return server;
}
