import { defineCommand, isEntryPoint, UsageError } from '@authmeet/http-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

/**
 * Converge this service's user copy on the auth-service (after a lost backup, a new
 * environment, or to double-check the sync). Safe at any time: users apply by version.
 * In the image: node dist/src/reconcile.js [--since <ISO time>]
 */
export const command = {
  name: 'users:reconcile',
  usage: [
    'Usage: users:reconcile                         every user of the auth-service',
    '       users:reconcile --since <ISO 8601 time> only users changed since then',
    '',
    '  pnpm --filter @authmeet/meetings-service users:reconcile [flags]   (development)',
    '  node dist/src/reconcile.js [flags]                                  (in the image)',
    'Reads the meetings-service configuration (DATABASE_URL, AUTH_SERVICE_URL, AUTH_SERVICE_KEY, ...)',
    'from the environment.',
  ].join('\n'),
  options: { since: { type: 'string' } },
} as const;

export const main = defineCommand(command, async (values, { out }) => {
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since !== undefined && Number.isNaN(since.getTime())) throw new UsageError(`--since is not a date: "${values.since ?? ''}"`);
  const app = await buildApp({ ...loadConfig(), reconcile: { onStart: false, pageSize: 100 } });
  try {
    await app.ready();
    const result = await app.reconciler.run(since ? { since } : {});
    out(`reconciled: ${result.seen} users seen, ${result.applied} applied, ${result.removed} removed, ${result.pages} pages`);
  } finally {
    await app.close();
  }
});

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
