import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Asserts an RFC 9457 problem answer as api.md defines it: the status, the stable `code`,
 * `application/problem+json`, a `WWW-Authenticate: Bearer` challenge on 401 and `Retry-After`
 * on 503. Returns the body for further checks.
 */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown; body: string },
  status: number,
  code: string,
): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, title: expect.any(String), type: expect.any(String) });
  if (status === 401) expect(String(res.headers['www-authenticate'])).toMatch(/^Bearer /);
  if (status === 503) expect(res.headers['retry-after']).toBeDefined();
  return body;
}

/** Ports this process has handed out: each may still be waiting for its server to bind it. */
const handedOut = new Set<number>();

/** A loopback port nothing listens on right now (to start a server on later, or to find dead). */
export async function freePort(): Promise<number> {
  // A port handed out earlier looks free to the kernel until its server listens, so a later
  // call could get it again (a replica's metrics port colliding with another replica's API
  // port): never hand out the same port twice in one process.
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
