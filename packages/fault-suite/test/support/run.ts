import { execFile } from 'node:child_process';

/** Runs a command to completion; rejects with its output when it fails or takes too long. */
export function run(command: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Postgres' tools refuse to run as root: they run as the `postgres` system user. */
export const asPostgres = (tool: string, args: string[], timeoutMs?: number) =>
  run('runuser', ['-u', 'postgres', '--', `/usr/lib/postgresql/15/bin/${tool}`, ...args], timeoutMs);
