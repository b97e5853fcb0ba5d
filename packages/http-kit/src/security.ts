import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { HelmetOptions } from 'helmet';

export interface SecurityOptions {
  /** Exact origins allowed to call from a browser; empty means no cross-origin access. */
  corsOrigins: string[];
  /**
   * Let those origins send cookies (`Access-Control-Allow-Credentials: true`): for a service
   * with a browser session cookie (the auth-service's cookie mode). Off by default.
   */
  corsCredentials?: boolean;
}

/** Route prefixes whose answers carry tokens or personal data. */
const privatePrefixes = ['/v1/', '/internal/'];

/** The API serves JSON; the only HTML is Swagger UI, which sets its own CSP. */
export const HELMET_OPTIONS = {
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-site' },
} as const satisfies HelmetOptions;

export interface SecurityHeaders {
  readonly set: readonly (readonly [name: string, value: string])[];
  readonly remove: readonly string[];
}

/**
 * The headers helmet writes for one configuration, found by running its middleware once against
 * a recording response. Helmet's middleware only ever calls `setHeader` and `removeHeader`, and
 * reads nothing from the request, so the table is the same for every response.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): SecurityHeaders {
  const set: [string, string][] = [];
  const remove: string[] = [];
  const recorder = {
    setHeader(name: string, value: number | string | readonly string[]) {
      set.push([name, String(value)]);
    },
    removeHeader(name: string) {
      remove.push(name);
    },
  };
  // Helmet 8 throws a configuration error itself; its `next` is only ever called without one.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return { set, remove };
}

async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
  // @fastify/helmet calls `helmet(options)` in a hook on every request when applied globally
  // (9 of a /healthz answer's 30 us of CPU here), and even with `global: false` it runs two hooks
  // on every route, one of them async (~8 of a /healthz answer's ~51 us over HTTP). The headers
  // depend only on the options, so they are computed once and written by one hook. A route that
  // needs its own `helmet` options is declared in a scope that registers `routeHelmet`: only that
  // scope's routes pay for the plugin's hooks, and the option anywhere else is refused at startup.
  const { set, remove } = helmetHeaders(HELMET_OPTIONS);
  app.addHook('onRoute', function refuseUnscopedHelmet(this: FastifyInstance, route) {
    if ((route as { helmet?: unknown }).helmet !== undefined && !this.hasReplyDecorator('helmet')) {
      throw new Error(`Route ${route.method} ${route.url} sets its own helmet options outside a scope that registers routeHelmet`);
    }
  });
  // The headers go on the reply with Fastify's, not on the raw response: a response whose head
  // was all given to `writeHead` at once is serialised in one pass, while one header set on the
  // raw response sends Node down its slow path, where every header of the reply is set again
  // (2.4 against 5.4 us per answer, measured in isolation). A reply that takes over the socket
  // gets them from `writeHijackedHead`, which writes everything the reply holds.
  app.addHook('onRequest', (request, reply, done) => {
    if ((request.routeOptions.config as { helmet?: unknown }).helmet === undefined) {
      for (const [name, value] of set) void reply.header(name, value);
      // Only what something set on the raw response before (a no-op otherwise).
      for (const name of remove) reply.raw.removeHeader(name);
    }
    done();
  });
  const allowed = new Set(opts.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    // A string, not an array: the plugin joins an array again on every answer.
    exposedHeaders: 'x-request-id, retry-after, www-authenticate',
    // Bearer tokens travel in a header; only a service with a session cookie opts in, and only
    // the exact origins above ever get the header.
    credentials: opts.corsCredentials === true,
    maxAge: 600,
  });

  // Tokens and personal data must not outlive the response in a browser's or a proxy's cache
  // (a shared computer's back button, a caching proxy). Everything under /v1/ and /internal/
  // carries them, and errors can too; operational routes and the JWKS keep their own policy.
  app.addHook('onSend', (request, reply, payload, done) => {
    privateCachePolicy(request, reply);
    done(null, payload);
  });
}

/** The onSend rule above, also applied by `writeHijackedHead` (a hijacked reply skips onSend). */
export function privateCachePolicy(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.routeOptions.url ?? request.url;
  if (reply.statusCode >= 400 || privatePrefixes.some((prefix) => path.startsWith(prefix))) {
    const current = reply.getHeader('cache-control');
    // An event stream's `no-transform` (proxies must not buffer or compress it) survives.
    const keep = typeof current === 'string' && current.includes('no-transform') ? ', no-transform' : '';
    void reply.header('cache-control', `no-store${keep}`);
  }
}

export const security = fp(securityPlugin, { name: 'authmeet-security', fastify: '5.x' });

/**
 * @fastify/helmet for the routes of one scope, with the kit's options: register it in a child
 * scope (`app.register(async (scope) => { await scope.register(routeHelmet); ... })`) and declare
 * there the routes that set their own `helmet` options (or `helmet: false`). They get the
 * plugin's headers instead of the kit's, and `reply.helmet()`; no other route runs its hooks.
 */
export const routeHelmet = fp(
  async (app: FastifyInstance) => {
    // Stryker disable next-line BooleanLiteral: `global: true` writes the same headers a second time, only slower
    await app.register(fastifyHelmet, { ...HELMET_OPTIONS, global: false });
  },
  { name: 'authmeet-route-helmet', fastify: '5.x', dependencies: ['authmeet-security'] },
);
