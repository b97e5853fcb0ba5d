import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { expectProblem } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * The API reference maps every route, internal ones included: public in production, it is a
 * free survey for an attacker. DOCS_ENABLED turns /docs and /docs/json off; production
 * defaults to off, everything else to on.
 */
let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

describe('DOCS_ENABLED', () => {
  it('false: /docs and /docs/json are not served', async () => {
    ctx = await startAuthService({ DOCS_ENABLED: 'false' });
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/docs/json' }), 404, 'NOT_FOUND');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/docs' }), 404, 'NOT_FOUND');
    // The document still exists in-process (tools and tests read it): it is only not served.
    expect(ctx.app.swagger()).toMatchObject({ openapi: '3.1.0' });
  });

  it('true: served', async () => {
    ctx = await startAuthService({ DOCS_ENABLED: 'true' });
    expect((await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json()).toMatchObject({ openapi: '3.1.0' });
    expect((await ctx.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('defaults to off in production and on elsewhere', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_PRIVATE_JWKS: '{"keys":[]}',
      SERVICE_KEYS: 'k',
      MEETINGS_SERVICE_KEY: 'k',
      APP_BASE_URL: 'https://app.example.com',
      SMTP_URL: 'smtp://mail.example.com',
      MFA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      AVATAR_PUBLIC_BASE_URL: 'https://avatars.example.com',
    };
    expect(loadConfig(production).http.docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: 'true' }).http.docsEnabled).toBe(true);
    expect(loadConfig({}).http.docsEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).http.docsEnabled).toBe(true);
  });
});
