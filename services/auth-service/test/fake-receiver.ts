import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  method: string;
  userId: string;
  version: number;
  body: Record<string, unknown> | undefined;
}

/**
 * A stand-in for the meetings-service's internal user routes that records every delivery and
 * keeps a versioned copy like the real receiver, so ordering and duplicates can be asserted.
 */
export async function startFakeReceiver(serviceKey: string) {
  const deliveries: Delivery[] = [];
  const users = new Map<string, { version: number; deleted: boolean; body: Record<string, unknown> | undefined }>();
  let requests = 0;
  /** Batch PUTs received (PUT /internal/v1/users), with the users each carried. */
  const batches: string[][] = [];
  let mode: 'ok' | 'down503' = 'ok';
  const refuse = new Set<string>();

  function record(method: string, userId: string, version: number, body: Record<string, unknown> | undefined): boolean {
    deliveries.push({ method, userId, version, body });
    const current = users.get(userId);
    const applied = !current || version > current.version;
    if (applied) users.set(userId, { version, deleted: method === 'DELETE', body });
    return applied;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    requests += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.headers['x-service-key'] !== serviceKey) return res.writeHead(401).end();
    if (mode === 'down503') return res.writeHead(503).end();
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'PUT' && url.pathname === '/internal/v1/users') {
      // The batch route: like the real one, a body it cannot take is refused as a whole.
      const items = (JSON.parse(Buffer.concat(chunks).toString()) as { users: (Record<string, unknown> & { id: string })[] }).users;
      batches.push(items.map((i) => i.id));
      if (items.some((i) => refuse.has(i.id))) return res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"VALIDATION_FAILED"}');
      const results = items.map(({ id, ...body }) => ({ id, applied: record('PUT', id, Number(body.version), body) }));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    }
    const userId = url.pathname.split('/').at(-1) ?? '';
    if (refuse.has(userId)) return res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"VALIDATION_FAILED"}');
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : undefined;
    const version = req.method === 'DELETE' ? Number(url.searchParams.get('version')) : Number(body?.version);
    const applied = record(req.method ?? '', userId, version, body);
    if (req.method === 'DELETE') return res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ applied }));
  }

  let server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    batches,
    users,
    requests: () => requests,
    setMode: (m: 'ok' | 'down503') => {
      mode = m;
    },
    refuse,
    /** Stops listening (connection refused), keeping the port for restart(). */
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restart() {
      server = createServer((req, res) => void handle(req, res));
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
  };
}
