import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithCapturedLogs } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * Request logs used to carry full query strings: a token, a one-time code or an OAuth state
 * sent in a URL ended up in every log pipeline. The values of sensitive parameters are now
 * redacted wherever the request is logged; other parameters stay readable.
 */
let ctx: TestContext;
const lines: string[] = [];

// The production logger settings, writing into memory.
beforeAll(async () => {
  ctx = await startWithCapturedLogs(lines, 'info');
});
afterAll(async () => ctx.close());

const loggedUrls = () =>
  lines.map((l) => JSON.parse(l) as { req?: { url?: string } }).flatMap((l) => (l.req?.url === undefined ? [] : [l.req.url]));

describe('request logs', () => {
  it.each([
    ['token', '/v1/auth/me?token=SECRET-A1&page=2'],
    ['access_token', '/v1/auth/me?access_token=SECRET-A2'],
    ['refreshToken', '/v1/auth/sessions?refreshToken=SECRET-A3'],
    ['code and state', '/v1/auth/verify-token?code=SECRET-A4&state=SECRET-A5'],
    ['password', '/v1/auth/sessions?password=SECRET-A6&x=1'],
    ['percent-encoded name', '/v1/auth/sessions?%74oken=SECRET-A7'],
    ['upper-case name', '/v1/auth/sessions?TOKEN=SECRET-A8'],
    ['repeated name', '/v1/auth/sessions?x=1&token=SECRET-A9&token=SECRET-B1'],
  ])('redact the value of %s', async (_name, url) => {
    lines.length = 0;
    await ctx.app.inject({ method: 'GET', url });
    const all = lines.join('');
    expect(loggedUrls().length).toBeGreaterThan(0);
    expect(all).not.toMatch(/SECRET-[AB]\d/);
    expect(all).toContain('[redacted]');
  });

  it('keep the path and other parameters readable', async () => {
    lines.length = 0;
    await ctx.app.inject({ method: 'GET', url: '/v1/auth/me?token=SECRET-C1&page=2&q' });
    expect(loggedUrls()).toContain('/v1/auth/me?token=[redacted]&page=2&q');
  });
});
