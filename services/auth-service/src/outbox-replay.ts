import { deadLetterCommand, isEntryPoint } from '@authmeet/http-kit';
import { deadLetterSource } from './dead-letters-command.js';
import { createOutboxRepository } from './modules/outbox/outbox.repository.js';

/**
 * Dead letters: outbox rows the meetings-service refused for a reason retrying cannot fix.
 * A running auth-service relay picks replayed rows up within a second. In the image:
 *   node dist/src/outbox-replay.js [--replay [--id N]...]
 */
export const { command, main } = deadLetterCommand({
  name: 'outbox:dead-letters',
  file: 'outbox-replay',
  noun: 'dead letter',
  replays: 'put back in line',
  ...deadLetterSource(createOutboxRepository),
  format: (row) => `${row.id}\tuser ${row.userId}\tv${row.version}\t${row.kind}\tattempts ${row.attempts}\t${row.lastError ?? ''}`,
});

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
