import type { AddressInfo } from 'node:net';
import { rawConnect, settlesWithin } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createMeeting, newUser } from '../factories.js';
import type { TestUser } from '../factories.js';
import { openSse } from '../helpers/sse-client.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

/**
 * Receiving a request is bounded (408 for a body or headers sent a byte per second), while an
 * event stream, a response that lasts as long as the client wants, keeps going: the request
 * timeout covers receiving the request only, and heartbeats keep the socket from going idle.
 */
const REQUEST_TIMEOUT_MS = 1000;
const CONNECTION_TIMEOUT_MS = 1500;

let ctx: MeetingsContext;
let base: string;
let port: number;
let host: TestUser;

beforeAll(async () => {
  ctx = await startMeetingsService({
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
    SSE_HEARTBEAT_MS: '200',
  });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  port = (ctx.app.server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  host = await newUser(ctx.app, ctx.issuer);
});
afterAll(async () => ctx.close());

describe('slow requests', () => {
  it('a meeting body sent one byte per second gets 408 and the connection closed', async () => {
    const c = await rawConnect(port);
    try {
      c.socket.write(
        `POST /v1/meetings HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${host.headers.authorization}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n',
      );
      c.trickle(`{"title":"${'s'.repeat(80)}"}`);
      expect(await settlesWithin(c.closed, REQUEST_TIMEOUT_MS + 4000)).toBe(true);
      expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(c.received()).toContain('"code":"REQUEST_TIMEOUT"');
    } finally {
      c.close();
    }
  });
});

describe('event streams', () => {
  it('outlive the request and connection timeouts several times over', async () => {
    const m = await createMeeting(ctx.app, host);
    const stream = await openSse(`${base}/v1/meetings/${m.id}/events`, host.headers);
    try {
      expect(stream.status).toBe(200);
      const ended = await settlesWithin(stream.ended, 3 * CONNECTION_TIMEOUT_MS);
      expect(ended).toBe(false);
      // Heartbeats kept flowing the whole time.
      expect(stream.comments.filter((c) => c === 'ping').length).toBeGreaterThanOrEqual(5);
    } finally {
      stream.close();
    }
  });

  it('a socket timeout that would cut streams between heartbeats is refused at start', () => {
    expect(() => loadConfig({ CONNECTION_TIMEOUT_MS: '10000', SSE_HEARTBEAT_MS: '15000' })).toThrow(/CONNECTION_TIMEOUT_MS/);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '5000' })).toThrow(/HEADERS_TIMEOUT_MS/);
  });
});
