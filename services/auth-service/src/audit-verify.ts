import { defineCommand, isEntryPoint } from '@authmeet/http-kit';
import { loadConfig } from './config.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { createPrismaClient } from './plugins/prisma.js';

/**
 * Walks the audit chain from its anchor (the last pruned event) to its head and names the first
 * link that does not hold: an event whose content no longer matches its hash (edited), or whose
 * predecessor is not the one it was chained to (deleted or reordered). Exit 0 intact, 1 broken.
 * In the image:
 *   node dist/src/audit-verify.js
 */
export const command = {
  name: 'audit:verify',
  usage: [
    'Usage: audit:verify   check that no audit event was edited, removed or reordered',
    '',
    '  pnpm --filter @authmeet/auth-service audit:verify   (development)',
    '  node dist/src/audit-verify.js   (in the image)',
    'Reads DATABASE_URL and the rest of the auth-service configuration from the environment.',
  ].join('\n'),
  options: {},
} as const;

export const main = defineCommand(command, async (_values, { out }) => {
  const prisma = createPrismaClient(loadConfig().database);
  try {
    const result = await createAuditRepository(prisma).verify();
    if (result.ok) {
      out(`audit chain intact: ${result.events} events, head ${result.head}`);
      return;
    }
    const b = result.broken;
    const where =
      b.kind === 'hash'
        ? `event ${b.id}: its content does not match its hash (edited)`
        : b.kind === 'prev'
          ? `event ${b.id}: it is not chained to the event before it (an event before it was removed, or the order changed)`
          : `the head: the newest events were removed (the chain ends at ${b.found}, the head says ${b.expected})`;
    throw new Error(`audit chain broken at ${where}; ${result.events} events before it are intact`);
  } finally {
    await prisma.$disconnect();
  }
});

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
