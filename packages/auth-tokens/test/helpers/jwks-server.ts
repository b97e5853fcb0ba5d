import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export type JwksMode = 'ok' | 'error' | 'hang';

export interface JwksServer {
  readonly url: string;
  /** Requests received so far (every request counts, whatever the answer). */
  readonly fetches: number;
  setKeys(keys: readonly JWK[]): void;
  setMode(mode: JwksMode): void;
  /** Delay before answering, to keep a fetch in flight. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A JWKS endpoint on 127.0.0.1 with a fetch counter, standing in for the auth-service. */
export async function startJwksServer(initialKeys: readonly JWK[]): Promise<JwksServer> {
  let keys = initialKeys;
  let mode: JwksMode = 'ok';
  let delayMs = 0;
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches += 1;
    if (mode === 'hang') return;
    const answer = (): void => {
      if (mode === 'error') {
        res.writeHead(500).end('boom');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    setKeys(next) {
      keys = next;
    },
    setMode(next) {
      mode = next;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
