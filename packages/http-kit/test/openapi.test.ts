import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp, defineErrors, documentAs, exampleOf, recordProblemAnswers, renderOpenApi, undocumentedProblems } from '../src/index.js';

const { catalogue, errorCodes, appError } = defineErrors({
  SEAT_TAKEN: { status: 409, title: 'The seat is taken' },
  CODE_INVALID_INPUT: { status: 400, title: 'The code is not valid', wireCode: 'CODE_INVALID' },
});

async function appWith(register: (app: Awaited<ReturnType<typeof createHttpApp>>) => void) {
  const docs = { title: 't', version: '0', description: 'd', errors: catalogue, tags: [{ name: 'seats', description: 'Seats' }], servers: [{ url: 'http://127.0.0.1:1', description: 'here' }] };
  const app = await createHttpApp({ service: 'kit-test', logger: false, trustProxy: false, bodyLimit: 1024, corsOrigins: [], docs });
  register(app);
  await app.ready();
  return app;
}

type Response = { description: string; $ref?: string; content?: Record<string, { schema: unknown; example?: unknown; examples?: Record<string, unknown> }> };
type Doc = {
  servers: unknown[];
  paths: Record<string, Record<string, { responses: Record<string, Response>; requestBody?: { content: Record<string, { schema: Record<string, unknown>; example?: unknown }> } }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, Response> };
};

/** A response, through its `$ref` to the shared responses. */
const resolved = (doc: Doc, response: Response | undefined) => (response?.$ref ? doc.components.responses[response.$ref.split('/').pop() ?? ''] : response);

describe('OpenAPI conventions (openapi.ts)', () => {
  it('documents each error status as problem+json with the codes the route answers', async () => {
    const seat = z.object({ row: z.number().int().min(1), name: z.string().regex(/[a-z]/).regex(/[0-9]/).meta({ examples: ['a1'] }) });
    const app = await appWith((a) =>
      a.post(
        '/seats',
        { schema: { operationId: 'takeSeat', tags: ['seats'], summary: 'Take a seat', security: [], body: seat, response: { 201: seat }, errors: errorCodes('SEAT_TAKEN', 'CODE_INVALID_INPUT') } },
        async (request, reply) => reply.code(201).send(request.body),
      ),
    );
    const doc = app.swagger() as unknown as Doc;
    const op = doc.paths['/seats']?.['post'];
    expect(Object.keys(op?.responses ?? {}).sort()).toEqual(['201', '400', '409', '413', '415', '500', '503']);
    expect(op?.responses['409']).toEqual({ $ref: '#/components/responses/Problem409_SEAT_TAKEN' });
    const conflict = resolved(doc, op?.responses['409'])?.content?.['application/problem+json'];
    expect(Object.keys(resolved(doc, op?.responses['409'])?.content ?? {})).toEqual(['application/problem+json']);
    expect(conflict?.schema).toEqual({ allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: ['SEAT_TAKEN'] } } }] });
    expect(conflict?.examples?.['SEAT_TAKEN']).toMatchObject({ value: { code: 'SEAT_TAKEN', status: 409, type: 'urn:authmeet:problem:seat-taken' } });
    const invalid = resolved(doc, op?.responses['400'])?.content?.['application/problem+json']?.schema as { allOf: [unknown, { properties: { code: { enum: string[] } } }] };
    expect(invalid.allOf[1].properties.code.enum).toEqual(['CODE_INVALID', 'MALFORMED_REQUEST', 'VALIDATION_FAILED']);
    // Success: a generated example that uses the field's own; several patterns become one.
    expect(op?.responses['201']?.description).toBe('Created');
    expect(op?.requestBody?.content['application/json']?.example).toEqual({ row: 1, name: 'a1' });
    const name = (op?.requestBody?.content['application/json']?.schema['properties'] as Record<string, { pattern: string; allOf?: unknown }>)['name'];
    expect(name?.allOf).toBeUndefined();
    const pattern = new RegExp(name?.pattern ?? '');
    expect(['a1', '1a'].map((v) => pattern.test(v))).toEqual([true, true]);
    expect(['aa', '11'].map((v) => pattern.test(v))).toEqual([false, false]);
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:1', description: 'here' }]);
    // Unused component twins (zod's *Input copies) are pruned.
    expect(Object.keys(doc.components.schemas)).toEqual(['Problem']);
    await app.close();
  });

  it('refuses to document a route without operationId or security, or with a code not in the catalogue', async () => {
    const missing = await appWith((a) => a.get('/x', { schema: { tags: ['seats'], summary: 'x', security: [] } }, async () => 'x'));
    expect(() => missing.swagger()).toThrow(/GET \/x: a documented route needs `operationId`/);
    await missing.close();
    const unknown = await appWith((a) =>
      a.get('/y', { schema: { operationId: 'y', tags: ['seats'], summary: 'y', security: [], errors: ['NOPE'] } }, async () => 'y'),
    );
    expect(() => unknown.swagger()).toThrow(/`NOPE` is not in the error catalogue/);
    await unknown.close();
  });

  it('shows the documentation schema of a refined body, and validates with the real one', async () => {
    const body = documentAs(
      z.object({ a: z.string().optional(), b: z.string().optional() }).refine((v) => (v.a ?? v.b) !== undefined),
      z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
    );
    const app = await appWith((a) =>
      a.post('/ab', { schema: { operationId: 'ab', tags: ['seats'], summary: 'ab', security: [], body, response: { 204: z.null() } } }, async (_r, reply) => reply.code(204).send(null)),
    );
    const schema = (app.swagger() as unknown as Doc).paths['/ab']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(schema?.['anyOf']).toHaveLength(2);
    expect((await app.inject({ method: 'POST', url: '/ab', payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/ab', payload: { b: 'x' } })).statusCode).toBe(204);
    await app.close();
  });

  it('finds the problem answers a route gives that its operation does not document', async () => {
    let answers: ReturnType<typeof recordProblemAnswers> = [];
    const app = await appWith((a) => {
      answers = recordProblemAnswers(a);
      a.post(
        '/seats/:id',
        { schema: { operationId: 'take', tags: ['seats'], summary: 'Take', security: [], params: z.object({ id: z.string() }), errors: errorCodes('SEAT_TAKEN') } },
        async (request) => {
          throw appError(request.params.id === 'taken' ? 'SEAT_TAKEN' : 'CODE_INVALID_INPUT');
        },
      );
    });
    await app.inject({ method: 'POST', url: '/seats/taken' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    expect(undocumentedProblems(app.swagger(), answers)).toEqual([]);
    await app.inject({ method: 'POST', url: '/seats/other' });
    expect(undocumentedProblems(app.swagger(), answers)).toEqual(['POST /seats/{id} 400 CODE_INVALID']);
    await app.close();
  });

  it('builds examples from schemas and renders a stable file', () => {
    const components = { Thing: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, at: { type: ['string', 'null'], format: 'date-time' } } } };
    expect(exampleOf({ type: 'array', items: { $ref: '#/components/schemas/Thing' } }, components)).toEqual([
      { id: '3f6c1e2a-8d4b-4c5e-9a7f-1b2c3d4e5f60', at: '2026-03-14T09:30:00.000Z' },
    ]);
    expect(exampleOf({ anyOf: [{ type: 'null' }, { enum: ['x', 'y'] }] }, {})).toBe('x');
    expect(renderOpenApi({ b: 1, a: { d: [2, 1], c: null } })).toBe('{\n  "a": {\n    "c": null,\n    "d": [\n      2,\n      1\n    ]\n  },\n  "b": 1\n}\n');
  });
});
