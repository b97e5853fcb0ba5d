import { fileURLToPath } from 'node:url';

/** The web client's static files: what nginx serves at `/`. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));
