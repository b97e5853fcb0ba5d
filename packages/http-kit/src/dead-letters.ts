import { defineCommand, positiveIds, UsageError } from './cli.js';

/** What a parking place of failed deliveries (an outbox, a mail queue) offers an operator. */
export interface DeadLetterStore<Row> {
  listDead(limit: number): Promise<Row[]>;
  replayDead(ids?: bigint[]): Promise<number>;
}

export interface DeadLetterCommandOptions<Row> {
  /** The package script, e.g. `outbox:dead-letters`. */
  name: string;
  /** The service's package, for the usage text, e.g. `@authmeet/auth-service`. */
  pkg: string;
  /** The entry file under src/, e.g. `outbox-replay`. */
  file: string;
  /** What one row is called in the output, e.g. `dead letter`. */
  noun: string;
  /** What a replay does, for the usage text. */
  replays: string;
  /** A line for the usage text on what the command reads from the environment. */
  reads: string;
  /** Opens the store (reading configuration, connecting); called only once the flags are valid. */
  open: () => { store: DeadLetterStore<Row>; close: () => Promise<void> };
  format: (row: Row) => string;
}

/**
 * An operator command over dead letters: `<name>` lists them (up to 1000); `--replay` puts them
 * all back in line, `--replay --id N ...` only those.
 */
export function deadLetterCommand<Row>(opts: DeadLetterCommandOptions<Row>) {
  const command = {
    name: opts.name,
    usage: [
      `Usage: ${opts.name}                      list ${opts.noun}s (up to 1000)`,
      `       ${opts.name} --replay             ${opts.replays}: all of them`,
      `       ${opts.name} --replay --id N ...  ${opts.replays}: only these rows`,
      '',
      `  pnpm --filter ${opts.pkg} ${opts.name} [flags]   (development)`,
      `  node dist/src/${opts.file}.js [flags]   (in the image)`,
      opts.reads,
    ].join('\n'),
    options: { replay: { type: 'boolean', default: false }, id: { type: 'string', multiple: true } },
  } as const;
  const main = defineCommand(command, async (values, { out }) => {
    // Every flag is checked before the configuration is read or a connection opened.
    const ids = positiveIds('--id', values.id);
    if (ids && !values.replay) throw new UsageError('--id only goes with --replay');
    const { store, close } = opts.open();
    try {
      if (values.replay) {
        out(`replayed ${await store.replayDead(ids)} ${opts.noun}(s)`);
        return;
      }
      const dead = await store.listDead(1000);
      if (dead.length === 0) out(`no ${opts.noun}s`);
      for (const row of dead) out(opts.format(row));
    } finally {
      await close();
    }
  });
  return { command, main };
}
