import type { HttpApp } from '@authmeet/http-kit';
import { z } from 'zod';
import type { KeyRing } from './key-ring.js';

const jwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string(), alg: z.string(), use: z.string() })) })
  .meta({ id: 'Jwks' });

export function keysRoutes(keyRing: KeyRing) {
  return async function routes(app: HttpApp) {
    app.get(
      '/jwks.json',
      { schema: { tags: ['keys'], operationId: 'getJwks', security: [], summary: 'Public signing keys', response: { 200: jwksSchema } } },
      async (_request, reply) => {
        // Verifiers cache this; a rotation publishes the new key before it signs anything.
        void reply.header('cache-control', 'public, max-age=300');
        return keyRing.publicJwks as z.infer<typeof jwksSchema>;
      },
    );
  };
}
