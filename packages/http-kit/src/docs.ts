import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorCatalogue } from './errors.js';
import { genericErrors } from './errors.js';
import { documentTransform, routeTransform } from './openapi.js';

export interface DocsOptions {
  /** Serve Swagger UI at /docs and the document at /docs/json (default true). */
  enabled?: boolean;
  title: string;
  description: string;
  version: string;
  /** The service's merged catalogue (`defineErrors`): every code it answers; generic codes when absent. */
  errors?: ErrorCatalogue;
  /** Every tag the operations use, with what it groups (the document's `tags`). */
  tags?: readonly { name: string; description: string }[];
  /** Where the API is reached (the document's `servers`). */
  servers?: readonly { url: string; description: string }[];
  /** Codes every route secured by a scheme answers besides the generic ones (e.g. a disabled account). */
  securityErrors?: Record<string, readonly string[]>;
  /** Every route is under a rate limit (the `rateLimits` plugin's global limit): all may answer 429. */
  rateLimited?: boolean;
}

/** The 401s of each security scheme (bearerAuth, serviceKeyGuard). */
const SECURITY_ERRORS: Record<string, readonly string[]> = {
  bearerAuth: ['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED'],
  serviceKey: ['UNAUTHENTICATED'],
};

function mergeSecurityErrors(extra: Record<string, readonly string[]> = {}): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = { ...SECURITY_ERRORS };
  for (const [scheme, codes] of Object.entries(extra)) out[scheme] = [...(out[scheme] ?? []), ...codes];
  return out;
}

function codeTable(errors: ErrorCatalogue): string {
  const rows = Object.entries(errors)
    .sort(([, a], [, b]) => a.status - b.status)
    .map(([code, row]) => `| \`${row.wireCode ?? code}\` | ${row.status} | ${row.title} |`);
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

/**
 * The one inline style Swagger UI renders: the `<style>` of its top bar's logo (an SVG), which
 * its own CSP would block (a console error on every page). Allowed by its hash, not by
 * 'unsafe-inline'; the browser test of the docs fails if a new Swagger UI renders another.
 */
const LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';
const LOGO_STYLE_HASH = `'sha256-${createHash('sha256').update(LOGO_STYLE).digest('base64')}'`;

/**
 * Swagger UI's own strict CSP (helmet sets none: the API serves JSON), with its logo's style
 * allowed and without `upgrade-insecure-requests`: development serves the docs over plain http
 * on a loopback address (the ingress on 127.0.0.1:8080), where upgrading the UI's requests to
 * https would break every one of them; behind TLS they are https already.
 */
export function swaggerUiCsp(header: string): string {
  return header.replace(/\s*upgrade-insecure-requests;?/, '').replace(/style-src ([^;]*);/, `style-src $1 ${LOGO_STYLE_HASH};`);
}

/** The OpenAPI 3.1 document is generated from the same zod schemas that validate requests. */
async function docsPlugin(app: FastifyInstance, opts: DocsOptions) {
  const errors = opts.errors ?? genericErrors;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: opts.title,
        version: opts.version,
        description: `${opts.description}\n\nErrors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`; each operation lists the codes it answers. Any request may also get \`REQUEST_TIMEOUT\` (408) or \`REQUEST_HEADERS_TOO_LARGE\` (431) from the connection limits. Every code:\n\n${codeTable(errors)}`,
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      },
      ...(opts.servers?.length ? { servers: [...opts.servers] } : {}),
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from login, refresh or MFA verification (EdDSA JWT, 15 minutes)' },
          serviceKey: { type: 'apiKey', in: 'header', name: 'X-Service-Key', description: 'Service-to-service key (`/internal/` routes, never routed by the ingress)' },
        },
      },
    },
    transform: routeTransform({ errors, securityErrors: mergeSecurityErrors(opts.securityErrors), rateLimited: opts.rateLimited ?? false }),
    transformObject: documentTransform({ errors, tags: opts.tags ?? [] }),
  });
  // The document is always built (app.swagger()); only serving it is optional.
  if (opts.enabled ?? true) {
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformStaticCSP: swaggerUiCsp,
    });
  }
}

export const docs = fp(docsPlugin, { name: 'authmeet-docs', fastify: '5.x' });
