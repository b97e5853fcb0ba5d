import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../src/index.js';
import { testClient } from './helpers/client.js';
import type { TestClient } from './helpers/client.js';
import { json, startFakeServer } from './helpers/fake-server.js';
import type { FakeServer } from './helpers/fake-server.js';

let server: FakeServer;
let t: TestClient;
afterEach(async () => {
  t.client.close();
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (v) => v,
    (e: unknown) => e,
  );
}

/** Polls until the breaker reaches `state`; bounded so a broken breaker fails the test. */
async function waitForState(state: string, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (t.client.breakerState() !== state) {
    if (Date.now() > deadline) throw new Error(`breaker never became ${state}`);
    await sleep(10);
  }
}

describe('circuit breaker', () => {
  it('opens after failures, stops calling the server and fails fast while open', async () => {
    server = await startFakeServer(json(503));
    t = testClient(server.url, { retry: { retries: 1, minTimeoutMs: 5, maxTimeoutMs: 10 } });
    for (let i = 0; i < 3; i += 1) expect(await settle(t.client.request({ method: 'GET', path: '/x' }))).toBeInstanceOf(ServiceUnavailableError);
    expect(t.client.breakerState()).toBe('open');
    const callsWhenOpened = server.seen.length;
    expect(callsWhenOpened).toBe(6);

    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const error = await settle(t.client.request({ method: 'GET', path: '/x' }));
      // Nothing is sent: no attempt, no backoff (an attempt here would take tens of ms at least).
      expect(performance.now() - started).toBeLessThan(50);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', reason: 'circuit-open' });
      expect((error as ServiceUnavailableError).retryAfterSec).toBeGreaterThanOrEqual(1);
    }
    // The request counter at the server stops growing while the breaker is open.
    expect(server.seen.length).toBe(callsWhenOpened);
    expect(await t.metric('service_client_breaker_state', { name: 'fake' })).toBe(2);
    expect(await t.metric('service_client_requests_total', { name: 'fake', outcome: 'rejected' })).toBe(10);
    expect(t.logs).toContainEqual({ level: 'warn', obj: { dependency: 'fake', state: 'open' }, msg: 'circuit breaker state changed' });
  });

  it('lets one half-open probe through and closes when the server has recovered', async () => {
    server = await startFakeServer(json(503));
    t = testClient(server.url, { retry: { retries: 0, minTimeoutMs: 5, maxTimeoutMs: 10 } });
    for (let i = 0; i < 3; i += 1) await settle(t.client.request({ method: 'GET', path: '/x' }));
    expect(t.client.breakerState()).toBe('open');
    server.respond(json(200, { back: true }));

    await waitForState('halfOpen');
    expect(await t.metric('service_client_breaker_state', { name: 'fake' })).toBe(1);
    const before = server.seen.length;
    const res = await t.client.request({ method: 'GET', path: '/x' });
    expect(res).toEqual({ status: 200, body: { back: true } });
    expect(server.seen.length).toBe(before + 1);
    expect(t.client.breakerState()).toBe('closed');
    expect(await t.metric('service_client_breaker_state', { name: 'fake' })).toBe(0);
    expect(t.logs.map((l) => l.obj.state)).toEqual(['open', 'halfOpen', 'closed']);
  });

  it('re-opens when the half-open probe fails, with only that one probe sent', async () => {
    server = await startFakeServer(json(503));
    t = testClient(server.url, { retry: { retries: 0, minTimeoutMs: 5, maxTimeoutMs: 10 } });
    for (let i = 0; i < 3; i += 1) await settle(t.client.request({ method: 'GET', path: '/x' }));
    await waitForState('halfOpen');
    const before = server.seen.length;
    // Slow probe: the concurrent calls must be refused, not sent alongside it.
    server.respond((req, res) => {
      setTimeout(() => json(503)(req, res), 50).unref();
    });
    const results = await Promise.all([0, 1, 2, 3].map(() => settle(t.client.request({ method: 'GET', path: '/x' }))));
    expect(server.seen.length).toBe(before + 1);
    expect(results.filter((r) => (r as ServiceUnavailableError).reason === 'circuit-open')).toHaveLength(3);
    expect(t.client.breakerState()).toBe('open');
  });

  it('a 404 answer from the half-open probe closes the breaker', async () => {
    server = await startFakeServer(json(503));
    t = testClient(server.url, { retry: { retries: 0, minTimeoutMs: 5, maxTimeoutMs: 10 } });
    for (let i = 0; i < 3; i += 1) await settle(t.client.request({ method: 'GET', path: '/x' }));
    await waitForState('halfOpen');
    server.respond(json(404));
    expect((await t.client.request({ method: 'GET', path: '/x' })).status).toBe(404);
    expect(t.client.breakerState()).toBe('closed');
  });

  it('after close(), calls fail without reaching the server', async () => {
    server = await startFakeServer(json(200));
    t = testClient(server.url);
    t.client.close();
    expect(await settle(t.client.request({ method: 'GET', path: '/x' }))).toBeInstanceOf(ServiceUnavailableError);
    expect(server.seen).toHaveLength(0);
  });

  it('two clients can share one registry, told apart by name', async () => {
    server = await startFakeServer(json(200));
    t = testClient(server.url);
    const { createServiceClient } = await import('../src/index.js');
    const other = createServiceClient({
      baseUrl: server.url,
      serviceKey: 'k',
      name: 'other',
      timeoutMs: 100,
      retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 },
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 1, resetTimeoutMs: 100, timeoutMs: 200 },
      metrics: t.registry,
    });
    await other.request({ method: 'GET', path: '/x' });
    other.close();
    expect(await t.metric('service_client_requests_total', { name: 'other', outcome: 'success' })).toBe(1);
    expect(await t.metric('service_client_breaker_state', { name: 'fake' })).toBe(0);
  });

  it('refuses nonsensical options', async () => {
    server = await startFakeServer();
    t = testClient(server.url);
    expect(() => testClient('ftp://x')).toThrow(TypeError);
    expect(() => testClient(server.url, { serviceKey: '' })).toThrow(TypeError);
    expect(() => testClient(server.url, { retry: { retries: -1, minTimeoutMs: 1, maxTimeoutMs: 1 } })).toThrow(TypeError);
  });
});
