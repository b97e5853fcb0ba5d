import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** nginx from Debian's package (/usr/sbin is not on every user's PATH), or the first on PATH. */
export function findNginx(pathVariable: string | undefined, explicit?: string): string | undefined {
  const candidates = [explicit, '/usr/sbin/nginx', ...(pathVariable ?? '').split(delimiter).map((dir) => join(dir, 'nginx'))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export interface NginxOptions {
  bin: string;
  /** The rendered nginx.conf; written to `<runtimeDir>/nginx.conf`. */
  config: string;
  /** An existing, empty folder for the config, pid, logs and temp files. */
  runtimeDir: string;
  /** TCP ports on 127.0.0.1 that must accept connections before nginx counts as started. */
  ports: number[];
  timeoutMs?: number;
}

export interface NginxProcess {
  readonly child: ChildProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Unprivileged account nginx drops to when we were started as root (CI, containers). */
const NOBODY = 65534;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function chownTree(dir: string, uid: number): void {
  chownSync(dir, uid, uid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, uid);
    else chownSync(path, uid, uid);
  }
}

/**
 * Runs nginx in the foreground as an ordinary user: when this process is root, nginx is started
 * as `nobody` so that no part of it (master included) holds privileges; otherwise as ourselves.
 * Ports must be above 1024, and every path it writes lives in `runtimeDir`.
 */
export async function startNginx(opts: NginxOptions): Promise<NginxProcess> {
  const confPath = join(opts.runtimeDir, 'nginx.conf');
  const errorLogPath = join(opts.runtimeDir, 'error.log');
  writeFileSync(confPath, opts.config);
  writeFileSync(errorLogPath, '');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownTree(opts.runtimeDir, NOBODY);

  // -e: the startup error log, which nginx opens before it reads the config (default /var/log/nginx).
  const child = spawn(opts.bin, ['-e', errorLogPath, '-c', confPath, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const errorLog = () => {
    try {
      return `${stderr}${readFileSync(errorLogPath, 'utf8')}`;
    } catch {
      return stderr;
    }
  };

  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`nginx exited with ${String(exitCode)} at start:\n${errorLog()}`);
    const open = await Promise.all(opts.ports.map(portOpen));
    if (open.every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on ${opts.ports.join(', ')} in time:\n${errorLog()}`);
    }
    await delay(50);
  }

  return {
    child,
    errorLog,
    async stop() {
      if (exitCode !== undefined) return;
      // SIGTERM is nginx's fast shutdown: open SSE streams would hold a graceful (SIGQUIT) one.
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), delay(3_000, false)]);
      if (!stopped) child.kill('SIGKILL');
      await exited;
    },
  };
}
