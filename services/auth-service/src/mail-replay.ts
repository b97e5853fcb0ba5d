import { deadLetterCommand, isEntryPoint } from '@authmeet/http-kit';
import { deadLetterSource } from './dead-letters-command.js';
import { createMailRepository } from './modules/mail/mail.repository.js';

/**
 * Dead mails: sends that kept failing MAIL_MAX_ATTEMPTS times (the SMTP server refused or was
 * down for long). Rows hold no secrets; a replayed account mail gets a fresh token when sent.
 * In the image: node dist/src/mail-replay.js [--replay [--id N]...]
 */
export const { command, main } = deadLetterCommand({
  name: 'mail:dead-letters',
  file: 'mail-replay',
  noun: 'dead mail',
  replays: 'send again',
  ...deadLetterSource(createMailRepository),
  format: (row) => `${row.id}\t${row.template}\tuser ${row.userId ?? '-'}\tattempts ${row.attempts}\t${row.lastError ?? ''}`,
});

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
