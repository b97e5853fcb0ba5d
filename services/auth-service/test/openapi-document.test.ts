import { fileURLToPath } from 'node:url';
import { renderOpenApi } from '@authmeet/http-kit';
import { openApiDocumentTests } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

/**
 * services/auth-service/openapi.json, which API clients are generated from: the document the
 * code generates, with every operation described well enough to generate a client from.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { example?: unknown; schema: unknown }> };
  responses: Record<string, Response>;
};
type Response = { $ref?: string; content?: Record<string, { schema: unknown; example?: unknown; examples?: Record<string, { value: { code: string } }> }> };
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; responses: Record<string, Response> } };

/** A response, through its `$ref` to the shared problem responses. */
const resolved = (doc: Doc, response: Response | undefined) => (response?.$ref ? doc.components.responses[response.$ref.split('/').pop() ?? ''] : response);

const operations = (doc: Doc) => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ route: `${method} ${path}`, op })));

describe('services/auth-service/openapi.json', () => {
  openApiDocumentTests({
    pkg: '@authmeet/auth-service',
    file: fileURLToPath(new URL('../openapi.json', import.meta.url)),
    render: () => renderOpenApi(ctx.app.swagger()),
  });

  it('every operation has an operationId, a summary, tags, its security and examples', () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    for (const { route, op } of operations(doc)) {
      expect(op, route).toMatchObject({ operationId: expect.any(String), summary: expect.any(String), tags: [expect.any(String)], security: expect.any(Array) });
      for (const media of Object.values(op.requestBody?.content ?? {})) expect(media.example, `${route} request example`).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) {
          expect(Object.keys(resolved(doc, response)?.content ?? {}), `${route} ${status}`).toEqual(['application/problem+json']);
        } else {
          for (const media of Object.values(response.content ?? {})) expect(media.example, `${route} ${status} example`).toBeDefined();
        }
      }
    }
  });

  it('public routes declare no security; user routes the bearer token; internal routes the service key', () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    expect(doc.paths['/v1/auth/login']?.['post']?.security).toEqual([]);
    expect(doc.paths['/.well-known/jwks.json']?.['get']?.security).toEqual([]);
    expect(doc.paths['/v1/auth/me']?.['get']?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/internal/v1/users/{id}']?.['get']?.security).toEqual([{ serviceKey: [] }]);
  });

  it("an operation's problem responses carry the codes that route answers", () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    const codes = (route: Operation | undefined, status: string) =>
      Object.keys(resolved(doc, route?.responses[status])?.content?.['application/problem+json']?.examples ?? {}).sort();
    const login = doc.paths['/v1/auth/login']?.['post'];
    expect(codes(login, '401')).toEqual(['INVALID_CREDENTIALS']);
    expect(codes(login, '403')).toEqual(['ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'ORIGIN_NOT_ALLOWED']);
    expect(codes(login, '400')).toEqual(['MALFORMED_REQUEST', 'VALIDATION_FAILED']);
    expect(codes(login, '429')).toEqual(['RATE_LIMITED']);
    expect(codes(doc.paths['/v1/auth/me']?.['get'], '401')).toEqual(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'UNAUTHENTICATED']);
    expect(codes(doc.paths['/v1/auth/email/verify']?.['post'], '400')).toEqual(['MALFORMED_REQUEST', 'TOKEN_INVALID', 'VALIDATION_FAILED']);
    expect(doc.paths['/v1/auth/me']?.['get']?.responses['409']).toBeUndefined();
  });

  it('expresses the login and MFA bodies as unions', () => {
    const doc = ctx.app.swagger() as unknown as Doc;
    const login = doc.paths['/v1/auth/login']?.['post']?.requestBody?.content['application/json']?.schema as { anyOf: { required: string[] }[] };
    expect(login.anyOf.map((b) => b.required.sort())).toEqual([['identifier', 'password'], ['email', 'password'], ['password', 'username']]);
    const verify = doc.paths['/v1/auth/mfa/verify']?.['post']?.requestBody?.content['application/json']?.schema as { anyOf: { required: string[] }[] };
    expect(verify.anyOf.map((b) => b.required.sort())).toEqual([['code', 'mfaToken'], ['mfaToken', 'recoveryCode']]);
  });
});
