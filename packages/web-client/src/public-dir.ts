import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web client as built (`vite build`, see src/build.ts): what nginx serves at `/`. */
export const PUBLIC_DIR = fileURLToPath(new URL('../dist', import.meta.url));

/**
 * The directory nginx should serve. Started as root, nginx runs as `nobody`, who may not be
 * able to read the checkout at all (a clone inside a 0700 temporary directory, a home folder):
 * then it serves a copy placed in its own runtime directory, which it owns. Otherwise the
 * files are served in place, so a rebuild (`vite build --watch` under `pnpm dev`) shows at once.
 */
export function webRootFor(runtimeDir: string): string {
  if (process.getuid?.() !== 0) return PUBLIC_DIR;
  const copy = join(runtimeDir, 'www');
  cpSync(PUBLIC_DIR, copy, { recursive: true });
  return copy;
}
