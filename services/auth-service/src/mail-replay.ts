import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createMailRepository } from './modules/mail/mail.repository.js';
import { createPrismaClient } from './plugins/prisma.js';

/**
 * Dead mails: sends that kept failing MAIL_MAX_ATTEMPTS times (the SMTP server refused or was
 * down for long). Rows hold no secrets; a replayed account mail gets a fresh token when sent.
 *   pnpm --filter @authmeet/auth-service mail:dead-letters            list them
 *   pnpm --filter @authmeet/auth-service mail:dead-letters --replay   put all back in line
 *   pnpm --filter @authmeet/auth-service mail:dead-letters --replay --id 12 --id 15
 */
const { values } = parseArgs({
  options: { replay: { type: 'boolean', default: false }, id: { type: 'string', multiple: true } },
});
const config = loadConfig();
const prisma = createPrismaClient(config.database);
const mails = createMailRepository(prisma);
try {
  if (values.replay) {
    const count = await mails.replayDead(values.id?.map((v) => BigInt(v)));
    console.log(`replayed ${count} dead mail(s)`);
  } else {
    const dead = await mails.listDead(1000);
    if (dead.length === 0) console.log('no dead mails');
    for (const row of dead) {
      console.log(`${row.id}\t${row.template}\tuser ${row.userId ?? '-'}\tattempts ${row.attempts}\t${row.lastError ?? ''}`);
    }
  }
} finally {
  await prisma.$disconnect();
}
