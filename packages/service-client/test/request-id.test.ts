import { runWithRequestId } from '@authmeet/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('request ids', () => {
  it('forwards the request id of the operation a call serves, on every attempt', async () => {
    server = await startFakeServer();
    let calls = 0;
    server.respond((_req, res) => {
      calls += 1;
      res.writeHead(calls === 1 ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
    t = testClient(server.url);
    await runWithRequestId('req-42', () => t.client.request({ method: 'GET', path: '/internal/v1/users/abc' }));
    expect(server.seen.map((s) => s.headers['x-request-id'])).toEqual(['req-42', 'req-42']);
  });

  it('sends none outside a request', async () => {
    server = await startFakeServer(json(200, {}));
    t = testClient(server.url);
    await t.client.request({ method: 'GET', path: '/internal/v1/users/abc' });
    expect(server.seen[0]?.headers['x-request-id']).toBeUndefined();
  });
});
