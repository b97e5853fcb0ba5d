import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Where the build goes (vite.config.ts's outDir; public-dir.ts serves it). */
const DIST_DIR = join(PACKAGE_DIR, 'dist');
/** What the build reads: the client's sources, its config, and the api-client it bundles. */
const INPUTS = [join(PACKAGE_DIR, 'app'), join(PACKAGE_DIR, 'vite.config.ts'), fileURLToPath(new URL('../../api-client/src', import.meta.url))];

function newest(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** True when dist/ is missing or older than a source it is built from. */
export function isStale(): boolean {
  const built = statSync(join(DIST_DIR, 'index.html'), { throwIfNoEntry: false });
  return built === undefined || Math.max(...INPUTS.map(newest)) > built.mtimeMs;
}

/**
 * Builds the client into dist/ (`vite build` with vite.config.ts) unless it is current; the
 * browser tests call this before starting nginx, so they always drive the sources as they are.
 */
export async function buildWebClient(opts: { force?: boolean } = {}): Promise<void> {
  if (!opts.force && !isStale()) return;
  await build({ configFile: join(PACKAGE_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * `pnpm dev`: builds once, then rebuilds on every change (`vite build --watch`); resolves after the
 * first build. `close()` stops watching.
 */
export async function watchWebClient(): Promise<{ close(): Promise<void> }> {
  const watcher = await build({ configFile: join(PACKAGE_DIR, 'vite.config.ts'), logLevel: 'warn', build: { watch: {} } });
  if (!('on' in watcher)) throw new Error('vite did not start watching');
  await new Promise<void>((resolve, reject) => {
    watcher.on('event', (event) => {
      if (event.code === 'END') resolve();
      if (event.code === 'ERROR') {
        // After the first build a broken edit is reported and the last good build stays served.
        console.error(`[web-client] build failed: ${event.error.message}`);
        reject(event.error);
      }
      if (event.code === 'BUNDLE_END') void event.result.close();
    });
  });
  return { close: () => watcher.close() };
}
