import swagger from '@fastify/swagger';
import type { SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { ErrorCatalogue } from './errors.js';
import { genericErrors } from './errors.js';

export interface DocsOptions {
  /** Serve Swagger UI at /docs and the document at /docs/json (default true). */
  enabled?: boolean;
  title: string;
  description: string;
  version: string;
  /** The service's merged catalogue (`defineErrors`): every code it answers; generic codes when absent. */
  errors?: ErrorCatalogue;
}

function codeTable(errors: ErrorCatalogue): string {
  const rows = Object.entries(errors)
    .sort(([, a], [, b]) => a.status - b.status)
    .map(([code, row]) => `| \`${row.wireCode ?? code}\` | ${row.status} | ${row.title} |`);
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

type SchemaNode = { properties?: Record<string, Record<string, unknown>> };

/** The zod transform, then the Problem schema's `code` narrowed to the service's codes. */
function problemCodes(errors: ErrorCatalogue): SwaggerTransformObject {
  const codes = [...new Set(Object.entries(errors).map(([code, row]) => row.wireCode ?? code))];
  return (input) => {
    const document = jsonSchemaTransformObject(input);
    const schemas = (document as { components?: { schemas?: Record<string, SchemaNode> } }).components?.schemas;
    const code = schemas?.['Problem']?.properties?.['code'];
    if (code) code['enum'] = codes;
    return document;
  };
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
        description: `${opts.description}\n\nErrors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`:\n\n${codeTable(errors)}`,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          serviceKey: { type: 'apiKey', in: 'header', name: 'X-Service-Key' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: problemCodes(errors),
  });
  // The document is always built (app.swagger()); only serving it is optional.
  if (opts.enabled ?? true) await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}

export const docs = fp(docsPlugin, { name: 'authmeet-docs', fastify: '5.x' });
