import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

/**
 * Converge this service's user copy on the auth-service (after a lost backup, a new
 * environment, or to double-check the sync):
 *   pnpm --filter @authmeet/meetings-service users:reconcile
 *   pnpm --filter @authmeet/meetings-service users:reconcile --since 2026-11-01T00:00:00Z
 */
const { values } = parseArgs({ options: { since: { type: 'string' } } });
const since = values.since === undefined ? undefined : new Date(values.since);
if (since !== undefined && Number.isNaN(since.getTime())) throw new Error(`--since is not a date: ${values.since}`);

const app = await buildApp({ ...loadConfig(), reconcile: { onStart: false, pageSize: 100 } });
try {
  await app.ready();
  const result = await app.reconciler.run(since ? { since } : {});
  console.log(`reconciled: ${result.seen} users seen, ${result.applied} applied, ${result.removed} removed, ${result.pages} pages`);
} finally {
  await app.close();
}
