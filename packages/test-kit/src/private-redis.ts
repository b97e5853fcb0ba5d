import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './http.js';

/**
 * A redis-server of the test's own, for outage tests: the shared Redis must never be stopped,
 * frozen or emptied. No persistence at all, so `restart()` comes back empty (data loss).
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGSTOP: connections stay open, nothing is answered (a frozen host or a long GC pause). */
  freeze(): void;
  /** SIGCONT: the server resumes and runs whatever its clients sent meanwhile. */
  thaw(): void;
  /** Kill and start again on the same port, with none of the data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function accepting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`private redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await accepting(port, 5000);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    // A frozen process ignores SIGTERM until continued; SIGKILL works either way.
    current.kill('SIGKILL');
    await exited;
  };
  const signal = (name: NodeJS.Signals) => {
    if (!child) throw new Error('private redis-server is not running');
    child.kill(name);
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    async restart() {
      await kill();
      await start();
    },
    stop: kill,
  };
}
