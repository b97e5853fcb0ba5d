import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, newUserInput } from './factories.js';
import { startWithCapturedLogs } from './test-app.js';
import type { TestContext } from './test-app.js';

let ctx: TestContext;
const lines: string[] = [];

// Production logger settings (JSON, redaction) writing into memory; debug level logs most.
beforeAll(async () => {
  ctx = await startWithCapturedLogs(lines);
});
afterAll(async () => ctx.close());

describe('logs', () => {
  it('carry request ids and never a password, token or service key', async () => {
    const input = newUserInput();
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: input, headers: { 'x-request-id': 'log-test-1' } });
    const login = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: input.password } })).json();
    await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(login.accessToken) });
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: login.refreshToken } });
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: 'Wrong-Password-77' } });
    await ctx.app.inject({ method: 'GET', url: '/internal/v1/users', headers: { 'x-service-key': 'test-service-key-0123456789abcdef' } });
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect(all).toContain('"reqId":"log-test-1"');
    for (const secret of [input.password, 'Wrong-Password-77', login.accessToken, login.refreshToken, 'test-service-key-0123456789abcdef']) {
      expect(all).not.toContain(secret);
    }
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('redact credentials wherever a log line carries them', () => {
    ctx.app.log.info(
      {
        req: { headers: { authorization: 'Bearer PROBE-A', cookie: 'sid=PROBE-B', 'x-service-key': 'PROBE-C' } },
        body: { password: 'PROBE-D', newPassword: 'PROBE-E', refreshToken: 'PROBE-F', token: 'PROBE-G' },
      },
      'redaction probe',
    );
    const probe = lines.find((l) => l.includes('redaction probe')) ?? '';
    expect(probe).toContain('[redacted]');
    expect(probe).not.toMatch(/PROBE-[A-G]/);
  });
});
