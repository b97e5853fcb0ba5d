import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@authmeet/test-kit';

export type ServiceName = 'auth-service' | 'meetings-service';

export interface ServiceProcess {
  name: string;
  port: number;
  url: string;
  /** Spawns it and waits until /healthz answers. */
  start(): Promise<void>;
  /** Sends a signal and waits for the exit; resolves with the exit code or signal. */
  kill(signal: NodeJS.Signals): Promise<string>;
  readonly running: boolean;
  /** Its last log lines, for failure messages. */
  logs(): string;
  /** One sample of a Prometheus metric, summed over the label sets that contain `labels`. */
  metric(name: string, labels?: string): Promise<number>;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * One service as a real process, started from its build as production starts it
 * (`node dist/src/main.js`; `pnpm test:faults` builds first through turbo). Node itself, so
 * signals reach the service directly; a build also starts in half the time of tsx.
 */
export function serviceProcess(name: ServiceName, port: number, env: Record<string, string>): ServiceProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<string> | undefined;
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.slice(0, 400));
      if (lines.length > 100) lines.shift();
    }
  };
  const url = `http://127.0.0.1:${port}`;
  // Each process gets its own metrics listener (METRICS_PORT), kept across restarts; replicas on
  // one host would otherwise collide on the default port.
  let metricsPort: number | undefined;
  const proc: ServiceProcess = {
    name,
    port,
    url,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      const cwd = `${repoRoot}services/${name}`;
      metricsPort ??= await freePort();
      if (!existsSync(`${cwd}/dist/src/main.js`)) throw new Error(`services/${name} is not built: run \`pnpm test:faults\` (it builds first)`);
      const c = spawn(process.execPath, ['dist/src/main.js'], {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port), METRICS_PORT: String(metricsPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      c.stdout?.on('data', keep);
      c.stderr?.on('data', keep);
      exited = new Promise((resolve) => c.once('exit', (code, signal) => resolve(signal ?? `exit ${code ?? '?'}`)));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (!proc.running) throw new Error(`${name} exited while starting:\n${proc.logs()}`);
        const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${name} did not start within 60 s:\n${proc.logs()}`);
    },
    async kill(signal) {
      if (!child || !exited || !proc.running) return 'not running';
      child.kill(signal);
      return exited;
    },
    logs: () => lines.join('\n'),
    async metric(metric, labels = '') {
      if (metricsPort === undefined) throw new Error(`${name} was never started`);
      const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(metric)) continue;
        const rest = line.slice(metric.length);
        if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
        if (labels !== '' && !rest.includes(labels)) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
  };
  return proc;
}
