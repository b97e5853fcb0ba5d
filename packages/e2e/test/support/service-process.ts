import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { eventually } from '@authmeet/test-kit';
import { repoPath } from './repo.js';

export interface ServiceProcess {
  url: string;
  /** Everything the process wrote to stdout (its JSON log lines). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A service as `pnpm dev` runs it (its sources through tsx), started the way production starts
 * it: the telemetry preload first, then main.ts. In-process apps cannot show tracing, because
 * instrumentation must patch modules before the application imports them.
 */
export async function startServiceProcess(
  name: 'auth-service' | 'meetings-service',
  port: number,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  let out = '';
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--import', '@authmeet/telemetry/register', 'src/main.ts'],
    {
      cwd: repoPath('services', name),
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${out.slice(-2000)}`);
      const res = await fetch(`${url}/readyz`);
      if (res.status !== 200) throw new Error(`${name} not ready: ${await res.text()}`);
    }, 90_000, 250);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => out, stop };
}
