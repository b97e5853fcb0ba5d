import type { AddressInfo } from 'node:net';
import { rawConnect, settlesWithin } from '@authmeet/test-kit';
import type { RawConnection } from '@authmeet/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * A client that sends its body (or its headers) one byte per second used to hold a socket, and
 * the request's memory, for as long as it liked; enough of them exhaust the process. Receiving a
 * request is now bounded (408), and so is the number of sockets one process holds.
 */
const REQUEST_TIMEOUT_MS = 1500;
const HEADERS_TIMEOUT_MS = 1000;
const MAX_CONNECTIONS = 3;
/** Generous: the timeouts plus Node's checking interval, on a loaded two-core box. */
const ANSWER_WITHIN_MS = REQUEST_TIMEOUT_MS + 4000;

let ctx: TestContext;
let port: number;
let drops = 0;
const open: RawConnection[] = [];

beforeAll(async () => {
  ctx = await startAuthService({
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    MAX_CONNECTIONS: String(MAX_CONNECTIONS),
  });
  ctx.app.server.on('drop', () => {
    drops += 1;
  });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  port = (ctx.app.server.address() as AddressInfo).port;
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => ctx.close());

async function connection(): Promise<RawConnection> {
  const c = await rawConnect(port);
  open.push(c);
  return c;
}

function expectRequestTimeout(c: RawConnection) {
  const [head = '', body = ''] = c.received().split('\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 408 /);
  expect(head.toLowerCase()).toContain('content-type: application/problem+json');
  expect(JSON.parse(body)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
}

describe('receiving a request is bounded', () => {
  it('a body sent one byte per second gets 408 and the connection closed', async () => {
    const c = await connection();
    c.socket.write('POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n');
    c.trickle('{"identifier":"ada","password":"' + 'x'.repeat(160) + '"}');
    expect(await settlesWithin(c.closed, ANSWER_WITHIN_MS)).toBe(true);
    expectRequestTimeout(c);
  });

  it('headers sent one byte per second get 408 and the connection closed', async () => {
    const c = await connection();
    c.socket.write('GET /healthz HTTP/1.1\r\n');
    c.trickle('Host: localhost\r\nX-Slow: ' + 'y'.repeat(100) + '\r\n\r\n');
    expect(await settlesWithin(c.closed, HEADERS_TIMEOUT_MS + 4000)).toBe(true);
    expectRequestTimeout(c);
  });

  it('a prompt request on the same server is not affected', async () => {
    const slow = await connection();
    slow.socket.write('POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n');
    slow.trickle('{"identifier":"ada"');
    // A raw socket rather than fetch, whose kept-alive pool would hold a slot of the cap below.
    const prompt = await connection();
    prompt.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(await settlesWithin(prompt.closed, 5000)).toBe(true);
    expect(prompt.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(slow.isClosed()).toBe(false);
  });
});

describe('MAX_CONNECTIONS caps the sockets one process holds', () => {
  it('refuses a socket beyond the cap and accepts again once one closes', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => connection()));
    // Each held socket is a live keep-alive connection that has been answered once.
    for (const c of held) c.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    for (const c of held) expect(await settlesWithin(waitFor(() => c.received().includes('\r\n\r\n')), 5000)).toBe(true);

    const dropsBefore = drops;
    const extra = await connection();
    expect(await settlesWithin(extra.closed, 3000)).toBe(true);
    expect(extra.received()).toBe('');
    expect(drops).toBe(dropsBefore + 1);
    for (const c of held) expect(c.isClosed()).toBe(false);

    held[0]?.close();
    await held[0]?.closed;
    const next = await connection();
    next.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await settlesWithin(next.closed, 5000);
    expect(next.received()).toMatch(/^HTTP\/1\.1 200 /);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}
