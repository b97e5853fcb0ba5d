import { Agent, request as httpRequest } from 'node:http';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What happened to each request of a keep-alive load run, as a draining server must answer. */
export interface LoadTally {
  /** Answered normally (any status `expected` accepts). */
  completed: number;
  /** 503 as the contract says: problem+json, `code` DEPENDENCY_UNAVAILABLE, `Retry-After`. */
  contract503: number;
  /** A connection attempt refused: the server never received that request (safe to retry). */
  refusedAtConnect: number;
  /** Everything else: resets, hang-ups, off-contract answers. Each entry says what it was. */
  failures: string[];
}

export interface KeepAliveLoad {
  tally: LoadTally;
  /** Stops sending new requests and resolves when every worker has finished its last one. */
  stop(): Promise<LoadTally>;
}

function isContract503(status: number, headers: Record<string, unknown>, body: string): boolean {
  if (status !== 503) return false;
  if (!String(headers['content-type']).startsWith('application/problem+json')) return false;
  if (headers['retry-after'] === undefined) return false;
  try {
    return (JSON.parse(body) as { code?: unknown }).code === 'DEPENDENCY_UNAVAILABLE';
  } catch {
    return false;
  }
}

function once(agent: Agent, origin: URL, req: LoadRequest): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { agent, host: origin.hostname, port: origin.port, method: req.method, path: req.path, headers: { ...req.headers, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * `connections` workers, each sending one request after another over its own kept-alive
 * connection, tallying every outcome. A worker stops on its own once a connection attempt is
 * refused (the server stopped listening). Used to prove a drain: under SIGTERM every request
 * either completes or gets the contract's 503, and none is reset.
 */
export function keepAliveLoad(opts: {
  origin: string;
  connections: number;
  next: (worker: number, n: number) => LoadRequest;
  expected: (status: number) => boolean;
}): KeepAliveLoad {
  const origin = new URL(opts.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const tally: LoadTally = { completed: 0, contract503: 0, refusedAtConnect: 0, failures: [] };
  let stopped = false;
  const worker = async (w: number) => {
    for (let n = 0; !stopped; n += 1) {
      const req = opts.next(w, n);
      try {
        const res = await once(agent, origin, req);
        if (opts.expected(res.status)) tally.completed += 1;
        else if (isContract503(res.status, res.headers, res.body)) tally.contract503 += 1;
        else tally.failures.push(`${req.method} ${req.path}: ${res.status} ${res.body.slice(0, 200)}`);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ECONNREFUSED') {
          tally.refusedAtConnect += 1;
          return;
        }
        tally.failures.push(`${req.method} ${req.path}: ${String(code ?? '')} ${(error as Error).message}`);
        // A server that is gone makes every later attempt fail the same way; one entry says it.
        if (tally.failures.length > 1000) return;
      }
    }
  };
  const workers = Array.from({ length: opts.connections }, (_, w) => worker(w));
  return {
    tally,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      agent.destroy();
      return tally;
    },
  };
}
