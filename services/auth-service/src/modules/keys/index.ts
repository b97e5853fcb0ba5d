import type { ServiceContext } from '../../context.js';
import type { KeyRing } from './key-ring.js';
import { loadKeyRing } from './key-ring.js';
import { keysRoutes } from './keys.routes.js';

/** The signing keys (from JWT_PRIVATE_JWKS, or a development file) and their JWKS document. */
export async function keysModule({ app, config }: ServiceContext, deps: { keyRing?: KeyRing | undefined }) {
  const keyRing = deps.keyRing ?? (await loadKeyRing({ ...config.jwt, env: config.env }, (m) => app.log.warn(m)));
  return { keyRing, routes: keysRoutes(keyRing) };
}

export type KeysModule = Awaited<ReturnType<typeof keysModule>>;
