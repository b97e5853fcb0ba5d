import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** A plain TCP client, for what an HTTP client library would not do (slow bytes, idle sockets). */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once the server (or anything) closed the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Writes `text` one byte every `intervalMs` until it is all sent or the connection closes. */
  trickle(text: string, intervalMs?: number): void;
  close(): void;
}

export async function rawConnect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  const socket = connect({ port, host });
  let data = '';
  let isClosed = false;
  let timer: NodeJS.Timeout | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  // A reset from the server is one of the ways a connection ends; not a test failure by itself.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      clearInterval(timer);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error('connection closed before it was established')));
  });
  return {
    socket,
    received: () => data,
    closed,
    isClosed: () => isClosed,
    trickle(text, intervalMs = 1000) {
      let i = 0;
      timer = setInterval(() => {
        if (isClosed || i >= text.length) {
          clearInterval(timer);
          return;
        }
        socket.write(text.charAt(i));
        i += 1;
      }, intervalMs);
    },
    close() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
