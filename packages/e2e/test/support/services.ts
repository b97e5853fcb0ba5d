import { pathToFileURL } from 'node:url';
import { repoPath } from './repo.js';

/** The part of a service's Fastify app the end-to-end tests use. */
export interface ServiceApp {
  listen(opts: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
}

export interface ServiceEntry {
  loadConfig(env: Record<string, string>): unknown;
  buildApp(config: unknown, overrides: { logger: false }): Promise<ServiceApp>;
}

/**
 * Loads a service's `buildApp` and `loadConfig` from its sources, as its own tests do, but
 * through a computed import: both services augment Fastify's `FastifyInstance.prisma` with
 * their own Prisma client type, so one TypeScript program cannot type-check both at once.
 * Each service's own typecheck covers these modules; here they are used through `ServiceEntry`.
 */
export async function loadService(name: 'auth-service' | 'meetings-service'): Promise<ServiceEntry> {
  const source = (file: string) => pathToFileURL(repoPath('services', name, 'src', file)).href;
  const [app, config] = (await Promise.all([import(source('app.ts')), import(source('config.ts'))])) as [
    Pick<ServiceEntry, 'buildApp'>,
    Pick<ServiceEntry, 'loadConfig'>,
  ];
  if (typeof app.buildApp !== 'function' || typeof config.loadConfig !== 'function') {
    throw new Error(`services/${name}/src no longer exports buildApp (app.ts) and loadConfig (config.ts)`);
  }
  return { buildApp: app.buildApp, loadConfig: config.loadConfig };
}
