import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { errorCatalogue, publicCode } from './errors.js';
import type { ErrorCode } from './errors.js';

export interface DocsOptions {
  /** Serve Swagger UI at /docs and the document at /docs/json (default true). */
  enabled?: boolean;
  title: string;
  description: string;
  version: string;
}

function codeTable(): string {
  const rows = (Object.keys(errorCatalogue) as ErrorCode[]).map(
    (c) => `| \`${publicCode(c)}\` | ${errorCatalogue[c].status} | ${errorCatalogue[c].title} |`,
  );
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The OpenAPI 3.1 document is generated from the same zod schemas that validate requests. */
async function docsPlugin(app: FastifyInstance, opts: DocsOptions) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: opts.title,
        version: opts.version,
        description: `${opts.description}\n\nErrors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`:\n\n${codeTable()}`,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          serviceKey: { type: 'apiKey', in: 'header', name: 'X-Service-Key' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // The document is always built (app.swagger()); only serving it is optional.
  if (opts.enabled ?? true) await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}

export const docs = fp(docsPlugin, { name: 'authmeet-docs', fastify: '5.x' });
