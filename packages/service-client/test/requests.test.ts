import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../src/index.js';
import { testClient } from './helpers/client.js';
import type { TestClient } from './helpers/client.js';
import { deadPort, json, startFakeServer } from './helpers/fake-server.js';
import type { FakeServer } from './helpers/fake-server.js';

let server: FakeServer;
let t: TestClient;
afterEach(async () => {
  t.client.close();
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<ServiceUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceUnavailableError);
  return error as ServiceUnavailableError;
}

describe('service client requests', () => {
  it('sends the service key, JSON body and query, and returns the parsed answer', async () => {
    server = await startFakeServer(json(200, { ok: true }));
    t = testClient(server.url);
    const res = await t.client.request<{ ok: boolean }>({ method: 'PUT', path: '/internal/v1/users/abc', body: { a: 1 }, query: { version: 3, skip: undefined } });
    expect(res).toEqual({ status: 200, body: { ok: true } });
    const [seen] = server.seen;
    expect(seen).toMatchObject({ method: 'PUT', url: '/internal/v1/users/abc?version=3', body: '{"a":1}' });
    expect(seen?.headers['x-service-key']).toBe('k-123');
    expect(seen?.headers['content-type']).toBe('application/json');
  });

  it('retries a 503 and then succeeds', async () => {
    server = await startFakeServer();
    let calls = 0;
    server.respond((req, res) => {
      calls += 1;
      json(calls <= 2 ? 503 : 200, { calls })(req, res);
    });
    t = testClient(server.url);
    const res = await t.client.request<{ calls: number }>({ method: 'GET', path: '/x' });
    expect(res).toEqual({ status: 200, body: { calls: 3 } });
    expect(server.seen).toHaveLength(3);
    expect(await t.metric('service_client_retries_total', { name: 'fake' })).toBe(2);
    expect(await t.metric('service_client_requests_total', { name: 'fake', outcome: 'success' })).toBe(1);
  });

  it('retries 502 and 504 too, and gives up after the retry budget', async () => {
    server = await startFakeServer(json(502));
    t = testClient(server.url);
    const error = await failure(t.client.request({ method: 'GET', path: '/x' }));
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', reason: 'bad-status', status: 502 });
    expect(server.seen).toHaveLength(3);
    server.respond(json(504));
    await failure(t.client.request({ method: 'GET', path: '/x' }));
    expect(server.seen).toHaveLength(6);
  });

  it.each([400, 401, 404, 409, 429])('returns a %i as a value without retrying', async (status) => {
    server = await startFakeServer(json(status, { code: 'X' }));
    t = testClient(server.url);
    const res = await t.client.request({ method: 'GET', path: '/x' });
    expect(res).toEqual({ status, body: { code: 'X' } });
    expect(server.seen).toHaveLength(1);
    expect(await t.metric('service_client_retries_total', { name: 'fake' })).toBeUndefined();
    expect(await t.metric('service_client_requests_total', { name: 'fake', outcome: 'client_error' })).toBe(1);
  });

  it('never opens the breaker on 404s, however many', async () => {
    server = await startFakeServer(json(404));
    t = testClient(server.url);
    for (let i = 0; i < 20; i += 1) expect((await t.client.request({ method: 'GET', path: '/x' })).status).toBe(404);
    expect(t.client.breakerState()).toBe('closed');
    expect(server.seen).toHaveLength(20);
  });

  it('does not retry a 500, but reports it as unavailable', async () => {
    server = await startFakeServer(json(500));
    t = testClient(server.url);
    const error = await failure(t.client.request({ method: 'POST', path: '/x', body: {} }));
    expect(error).toMatchObject({ reason: 'bad-status', status: 500, retryAfterSec: 1 });
    expect(server.seen).toHaveLength(1);
  });

  it('retries a dropped connection (network error)', async () => {
    server = await startFakeServer((req, res) => res.socket?.destroy());
    t = testClient(server.url);
    const error = await failure(t.client.request({ method: 'GET', path: '/x' }));
    expect(error.reason).toBe('network');
    expect(server.seen).toHaveLength(3);
  });

  it('fails with a network error when nothing listens', async () => {
    server = await startFakeServer();
    t = testClient(`http://127.0.0.1:${await deadPort()}`);
    const error = await failure(t.client.request({ method: 'GET', path: '/x' }));
    expect(error.reason).toBe('network');
    expect(await t.metric('service_client_retries_total', { name: 'fake' })).toBe(2);
  });

  it('times out a slow attempt and retries it', async () => {
    server = await startFakeServer((req, res) => {
      setTimeout(() => json(200)(req, res), 400).unref();
    });
    t = testClient(server.url, { timeoutMs: 50 });
    const started = Date.now();
    const error = await failure(t.client.request({ method: 'GET', path: '/x' }));
    expect(error.reason).toBe('timeout');
    expect(server.seen).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('the whole-call deadline bounds retries and backoff', async () => {
    server = await startFakeServer(json(503));
    t = testClient(server.url, {
      retry: { retries: 50, minTimeoutMs: 40, maxTimeoutMs: 40 },
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 100, resetTimeoutMs: 300, timeoutMs: 250 },
    });
    const started = Date.now();
    const error = await failure(t.client.request({ method: 'GET', path: '/x' }));
    expect(error.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(600);
    // An attempt sent just before the deadline may still be on the wire; let it land first.
    await new Promise((r) => setTimeout(r, 60));
    const count = server.seen.length;
    await new Promise((r) => setTimeout(r, 300));
    // Nothing keeps retrying in the background after the caller got its answer.
    expect(server.seen.length).toBe(count);
  });
});
