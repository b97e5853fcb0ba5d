import { serveMetrics } from '@authmeet/http-kit';
import { createTestDatabase, freePort, lintMetrics } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { registerAndLogin } from './factories.js';
import { migrationsDir, testConfig, testKeyRing } from './test-app.js';
import type { HttpApp } from '@authmeet/http-kit';

let app: HttpApp;
let db: TestDatabase;
let apiUrl: string;
let metricsUrl: string;
beforeAll(async () => {
  db = await createTestDatabase('auth_metrics', migrationsDir);
  const [apiPort, metricsPort] = await Promise.all([freePort(), freePort()]);
  const config = testConfig(db.url, { METRICS_PORT: String(metricsPort) });
  app = await buildApp(config, { logger: false, keyRing: await testKeyRing() });
  // As main.ts does: the metrics listener is the app's, closed with it.
  await serveMetrics(app, { host: '127.0.0.1', port: config.http.metricsPort });
  await app.listen({ host: '127.0.0.1', port: apiPort });
  apiUrl = `http://127.0.0.1:${apiPort}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const scrape = async () => {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};
const post = (path: string, body: unknown) =>
  fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sample = (text: string, name: string, labels: Record<string, string>) => {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

describe('metrics', () => {
  it('report live sessions', async () => {
    // Counted on the first scrape, then reused for a minute: this test scrapes first.
    await registerAndLogin(app);
    expect(sample(await scrape(), 'auth_sessions_active', {})).toBe(1);
  });

  it('are served on METRICS_PORT only, never on the API port', async () => {
    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(404);
    expect(await scrape()).toContain('http_request_duration_seconds_bucket');
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('count authentication attempts by method, outcome and a bounded reason', async () => {
    const count = (text: string, labels: Record<string, string>) => sample(text, 'auth_attempts_total', labels) ?? 0;
    const before = await scrape();
    const { input, tokens } = await registerAndLogin(app);
    expect((await post('/v1/auth/login', { identifier: input.email, password: 'Wrong-Password-123!' })).status).toBe(401);
    expect((await post('/v1/auth/login', { identifier: input.email })).status).toBe(400);
    expect((await post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(200);
    expect((await post('/v1/auth/refresh', { refreshToken: 'A'.repeat(86) })).status).toBe(401);
    const text = await scrape();
    expect(count(text, { method: 'password', outcome: 'success', reason: 'none' }) - count(before, { method: 'password', outcome: 'success', reason: 'none' })).toBe(1);
    expect(count(text, { method: 'password', outcome: 'failure', reason: 'INVALID_CREDENTIALS' }) - count(before, { method: 'password', outcome: 'failure', reason: 'INVALID_CREDENTIALS' })).toBe(1);
    expect(count(text, { method: 'password', outcome: 'failure', reason: 'VALIDATION_FAILED' }) - count(before, { method: 'password', outcome: 'failure', reason: 'VALIDATION_FAILED' })).toBe(1);
    expect(count(text, { method: 'refresh', outcome: 'success', reason: 'none' }) - count(before, { method: 'refresh', outcome: 'success', reason: 'none' })).toBe(1);
    expect(count(text, { method: 'refresh', outcome: 'failure', reason: 'REFRESH_TOKEN_INVALID' }) - count(before, { method: 'refresh', outcome: 'failure', reason: 'REFRESH_TOKEN_INVALID' })).toBe(1);
  });

  it('pass Prometheus naming lint (promtool check metrics)', async () => {
    const result = await lintMetrics(await scrape());
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});
