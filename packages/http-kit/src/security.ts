import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

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

async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
  await app.register(helmet, {
    // The API serves JSON; the only HTML is Swagger UI, which sets its own CSP.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  const allowed = new Set(opts.corsOrigins);
  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate'],
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
