import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createOutboxRepository } from './modules/outbox/outbox.repository.js';
import { createPrismaClient } from './plugins/prisma.js';

/**
 * Dead letters: outbox rows the meetings-service refused for a reason retrying cannot fix.
 *   pnpm --filter @authmeet/auth-service outbox:dead-letters            list them
 *   pnpm --filter @authmeet/auth-service outbox:dead-letters --replay   put all back in line
 *   pnpm --filter @authmeet/auth-service outbox:dead-letters --replay --id 12 --id 15
 * A running auth-service relay picks replayed rows up within a second.
 */
const { values } = parseArgs({
  options: { replay: { type: 'boolean', default: false }, id: { type: 'string', multiple: true } },
});
const config = loadConfig();
const prisma = createPrismaClient(config.database);
const outbox = createOutboxRepository(prisma);
try {
  if (values.replay) {
    const ids = values.id?.map((v) => BigInt(v));
    const count = await outbox.replayDead(ids);
    console.log(`replayed ${count} dead letter(s)`);
  } else {
    const dead = await outbox.listDead(1000);
    if (dead.length === 0) console.log('no dead letters');
    for (const row of dead) {
      console.log(`${row.id}\tuser ${row.userId}\tv${row.version}\t${row.kind}\tattempts ${row.attempts}\t${row.lastError ?? ''}`);
    }
  }
} finally {
  await prisma.$disconnect();
}
