import { expectNotStored } from '@authmeet/test-kit';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, newUserInput, registerAndLogin } from '../factories.js';
import type { TokensBody } from '../factories.js';
import { SERVICE_KEY, startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * Tokens and personal data never land in a browser's or a proxy's cache: every /v1/ and
 * /internal/ answer and every error says `Cache-Control: no-store`. The public signing keys
 * stay cacheable, as verifiers expect.
 */
let ctx: TestContext;
let tokens: TokensBody;

beforeAll(async () => {
  ctx = await startAuthService();
  ({ tokens } = await registerAndLogin(ctx.app));
});
afterAll(async () => ctx.close());

const auth = () => bearer(tokens.accessToken);

const cases: [string, () => InjectOptions, number][] = [
  ['register', () => ({ method: 'POST', url: '/v1/auth/register', payload: newUserInput() }), 201],
  ['login (tokens)', () => ({ method: 'POST', url: '/v1/auth/login', payload: { identifier: tokens.user.email, password: 'Correct-Horse-Battery-9-Staple' } }), 200],
  ['me', () => ({ method: 'GET', url: '/v1/auth/me', headers: auth() }), 200],
  ['sessions', () => ({ method: 'GET', url: '/v1/auth/sessions', headers: auth() }), 200],
  ['verify-token (claims)', () => ({ method: 'POST', url: '/v1/auth/verify-token', payload: { token: tokens.accessToken } }), 200],
  ['internal user', () => ({ method: 'GET', url: `/internal/v1/users/${tokens.user.id}`, headers: { 'x-service-key': SERVICE_KEY } }), 200],
  ['internal list', () => ({ method: 'GET', url: '/internal/v1/users', headers: { 'x-service-key': SERVICE_KEY } }), 200],
  ['password/forgot (202)', () => ({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: 'nobody@example.com' } }), 202],
  ['401 problem', () => ({ method: 'GET', url: '/v1/auth/me' }), 401],
  ['400 problem', () => ({ method: 'POST', url: '/v1/auth/login', payload: {} }), 400],
  ['404 problem outside /v1', () => ({ method: 'GET', url: '/nowhere' }), 404],
];

describe('Cache-Control: no-store', () => {
  it.each(cases)('%s', async (_name, request, status) => expectNotStored(await ctx.app.inject(request()), status));

  it('refresh (new tokens), last: it rotates the session', async () => {
    expectNotStored(await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } }), 200);
  });

  it('but the JWKS stays publicly cacheable', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
  });
});
