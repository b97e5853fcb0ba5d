import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeAuthMode = 'serve' | 'unavailable';

export interface FakeAuthService {
  url: string;
  /** Requests received while listening, across restarts. */
  readonly requests: number;
  users: Map<string, Record<string, unknown>>;
  mode: FakeAuthMode;
  /** Stop listening: the port refuses connections (the auth-service is down). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

/** Stands in for the auth-service's internal user lookup, on a fixed local port. */
export async function startFakeAuthService(serviceKey: string): Promise<FakeAuthService> {
  let server: Server | undefined;
  let port = 0;
  const fake: FakeAuthService = {
    url: '',
    requests: 0,
    users: new Map(),
    mode: 'serve',
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      const s = createServer((req, res) => {
        (fake as { requests: number }).requests += 1;
        if (fake.mode === 'unavailable') return void res.writeHead(503).end();
        if (req.headers['x-service-key'] !== serviceKey) return void res.writeHead(401).end();
        const id = /^\/internal\/v1\/users\/([^/?]+)$/.exec(req.url ?? '')?.[1];
        const user = id ? fake.users.get(id) : undefined;
        if (!user) return void res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"code":"NOT_FOUND"}');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user));
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      port = (s.address() as AddressInfo).port;
      fake.url = `http://127.0.0.1:${port}`;
      server = s;
    },
  };
  await fake.start();
  return fake;
}
