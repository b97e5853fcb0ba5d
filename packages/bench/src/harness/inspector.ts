import { setTimeout as delay } from 'node:timers/promises';
import { httpJson } from './http.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A minimal Chrome DevTools Protocol session with a Node process started with
 * --inspect=127.0.0.1:<port>, over Node's built-in WebSocket: enough to sample the CPU during a
 * load window only (a --cpu-prof profile would also hold start-up: module compilation, dictionaries).
 */
export class InspectorSession {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (event: MessageEvent) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  static async connect(port: number, timeoutMs = 10_000): Promise<InspectorSession> {
    const deadline = Date.now() + timeoutMs;
    let targets: { webSocketDebuggerUrl?: string }[] = [];
    while (Date.now() < deadline && targets.length === 0) {
      targets = await httpJson<{ webSocketDebuggerUrl?: string }[]>(`http://127.0.0.1:${port}/json/list`, {}, 200).catch(() => []);
      if (targets.length === 0) await delay(100);
    }
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url?.startsWith('ws://127.0.0.1:')) throw new Error(`no inspector target on 127.0.0.1:${port}`);
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('inspector websocket failed')), { once: true });
    });
    return new InspectorSession(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`inspector ${method} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Samples the CPU of the inspected process while `work` runs; returns the profile JSON text. */
export async function profileDuring<T>(port: number, work: () => Promise<T>): Promise<{ result: T; profileJson: string }> {
  const session = await InspectorSession.connect(port);
  try {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 500 });
    await session.send('Profiler.start');
    const result = await work();
    const { profile } = await session.send<{ profile: unknown }>('Profiler.stop');
    return { result, profileJson: JSON.stringify(profile) };
  } finally {
    session.close();
  }
}
