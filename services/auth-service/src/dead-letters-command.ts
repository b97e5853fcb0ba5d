import { defineCommand, positiveIds, UsageError } from '@authmeet/http-kit';
import { loadConfig } from './config.js';
import { createPrismaClient } from './plugins/prisma.js';

type Prisma = ReturnType<typeof createPrismaClient>;

/** What both parking places of failed deliveries (user-sync outbox, mail outbox) offer. */
export interface DeadLetterStore<Row> {
  listDead(limit: number): Promise<Row[]>;
  replayDead(ids?: bigint[]): Promise<number>;
}

export interface DeadLetterCommandOptions<Row> {
  /** The package script, e.g. `outbox:dead-letters`. */
  name: string;
  /** The entry file under src/, e.g. `outbox-replay`. */
  file: string;
  /** What one row is called in the output, e.g. `dead letter`. */
  noun: string;
  /** What a replay does, for the usage text. */
  replays: string;
  store: (prisma: Prisma) => DeadLetterStore<Row>;
  format: (row: Row) => string;
}

/**
 * `<name>` lists dead rows (up to 1000); `--replay` puts them all back in line, `--replay --id N`
 * only those. Shared by the outbox and the mail dead-letter commands.
 */
export function deadLetterCommand<Row>(opts: DeadLetterCommandOptions<Row>) {
  const command = {
    name: opts.name,
    usage: [
      `Usage: ${opts.name}                      list ${opts.noun}s (up to 1000)`,
      `       ${opts.name} --replay             ${opts.replays}: all of them`,
      `       ${opts.name} --replay --id N ...  ${opts.replays}: only these rows`,
      '',
      `  pnpm --filter @authmeet/auth-service ${opts.name} [flags]   (development)`,
      `  node dist/src/${opts.file}.js [flags]   (in the image)`,
      'Reads DATABASE_URL and the rest of the auth-service configuration from the environment.',
    ].join('\n'),
    options: { replay: { type: 'boolean', default: false }, id: { type: 'string', multiple: true } },
  } as const;
  const main = defineCommand(command, async (values, { out }) => {
    // Every flag is checked before the configuration is read or a connection opened.
    const ids = positiveIds('--id', values.id);
    if (ids && !values.replay) throw new UsageError('--id only goes with --replay');
    const prisma = createPrismaClient(loadConfig().database);
    try {
      const store = opts.store(prisma);
      if (values.replay) {
        out(`replayed ${await store.replayDead(ids)} ${opts.noun}(s)`);
        return;
      }
      const dead = await store.listDead(1000);
      if (dead.length === 0) out(`no ${opts.noun}s`);
      for (const row of dead) out(opts.format(row));
    } finally {
      await prisma.$disconnect();
    }
  });
  return { command, main };
}
