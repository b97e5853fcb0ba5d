import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface RunningChild {
  name: string;
  pid: number;
  /** Resolves when the process has exited (with its code or signal). */
  exited: Promise<string>;
  /** The last lines it wrote to stderr/stdout (for error messages). */
  tail(): string;
}

const TAIL_LINES = 200;

/**
 * Every process the bench starts is registered here and stopped by stopAll(): on success, on
 * failure, on SIGINT/SIGTERM, and (SIGKILL, synchronously) on process exit as a last resort.
 */
export class ChildRegistry {
  private readonly children = new Map<string, { child: ChildProcess; running: RunningChild }>();

  constructor() {
    process.once('exit', () => this.killAllNow());
  }

  start(spec: ChildSpec): RunningChild {
    if (this.children.has(spec.name)) throw new Error(`${spec.name} is already running`);
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name}`);
    const lines: string[] = [];
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
        if (lines.length > TAIL_LINES) lines.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        this.children.delete(spec.name);
        resolve(signal ?? `exit ${code ?? '?'}`);
      });
    });
    const running: RunningChild = { name: spec.name, pid: child.pid, exited, tail: () => lines.join('\n') };
    this.children.set(spec.name, { child, running });
    return running;
  }

  /** SIGTERM (graceful drain), then SIGKILL after graceMs. */
  async stop(name: string, graceMs = 5_000): Promise<void> {
    const entry = this.children.get(name);
    if (!entry) return;
    entry.child.kill('SIGTERM');
    const done = await Promise.race([entry.running.exited.then(() => true), delay(graceMs, false, { ref: false })]);
    if (!done) {
      entry.child.kill('SIGKILL');
      await entry.running.exited;
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.stop(name)));
  }

  private killAllNow(): void {
    for (const { child } of this.children.values()) child.kill('SIGKILL');
  }
}

/** Runs a command to completion (build, migrations); rejects with its output on failure. */
export async function runToCompletion(registry: ChildRegistry, spec: ChildSpec, timeoutMs: number): Promise<RunningChild> {
  const running = registry.start(spec);
  const outcome = await Promise.race([running.exited, delay(timeoutMs, 'timeout', { ref: false })]);
  if (outcome === 'timeout') {
    await registry.stop(spec.name, 1_000);
    throw new Error(`${spec.name} did not finish within ${timeoutMs} ms\n${running.tail()}`);
  }
  if (outcome !== 'exit 0') {
    // Compiler errors first: they are what a failed build is about.
    const lines = running.tail().split('\n');
    const errors = lines.filter((l) => /error TS\d+|ERR_|Error:/.test(l));
    throw new Error(`${spec.name} failed (${outcome})\n${[...errors, '…', ...lines.slice(-30)].join('\n')}`);
  }
  return running;
}
