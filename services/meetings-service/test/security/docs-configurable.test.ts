import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { expectProblem } from '../factories.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

/** /docs and /docs/json follow DOCS_ENABLED: off by default in production, on elsewhere. */
let ctx: MeetingsContext;
beforeAll(async () => {
  ctx = await startMeetingsService({ DOCS_ENABLED: 'false' });
});
afterAll(async () => ctx.close());

describe('DOCS_ENABLED', () => {
  it('false: /docs and /docs/json are not served', async () => {
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/docs/json' }), 404, 'NOT_FOUND');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/docs' }), 404, 'NOT_FOUND');
  });

  it('defaults to off in production and on elsewhere', () => {
    const production = { NODE_ENV: 'production', SERVICE_KEYS: 'k', AUTH_SERVICE_KEY: 'k' };
    expect(loadConfig(production).http.docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: 'yes' }).http.docsEnabled).toBe(true);
    expect(loadConfig({}).http.docsEnabled).toBe(true);
  });
});
