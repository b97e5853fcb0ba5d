import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childEnv } from './config.js';

const run = promisify(execFile);

/**
 * Runs an ES module's `source` in a fresh Node process with the sources (tsx, the `source`
 * condition), from `packageDir`, and returns its last line of output, parsed as JSON.
 *
 * The module is written to a file under the package's `node_modules/.cache/fresh-process`, so its
 * bare imports resolve as the package's own do; it is not `-e` code because worker threads
 * inherit the process's flags, and `--input-type` would stop a worker's file from loading.
 * `NODE_OPTIONS` is cleared so the child is not held by the test runner's.
 */
export async function inFreshProcess<T = unknown>(packageDir: string, source: string, timeoutMs = 60_000): Promise<T> {
  const dir = join(packageDir, 'node_modules', '.cache', 'fresh-process');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${randomUUID()}.mjs`);
  await writeFile(file, source);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=source', file], {
      cwd: packageDir,
      env: childEnv({ NODE_OPTIONS: '' }),
      timeout: timeoutMs,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
  } finally {
    await rm(file, { force: true });
  }
}
