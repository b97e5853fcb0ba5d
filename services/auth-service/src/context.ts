import type { HttpApp } from '@authmeet/http-kit';
import type { Config } from './config.js';

/**
 * What every module's factory receives: the app (Prisma, Redis, logger and metrics registry are
 * decorations of it), the configuration and the clock. Anything else a module needs it declares
 * as a named dependency, built by another module.
 */
export interface ServiceContext {
  app: HttpApp;
  config: Config;
  clock: () => number;
}
