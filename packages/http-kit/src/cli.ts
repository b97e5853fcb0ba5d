import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ParseArgsOptionsConfig } from 'node:util';

/**
 * Operator commands (dead letters, reconciliation) run by hand in a container: a wrong flag must
 * answer with what is wrong and how to call the command, never with a stack trace.
 */

/** A wrong command line: printed with the usage, exit code 2 (the shell convention for misuse). */
export class UsageError extends Error {}

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const consoleIo: CommandIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

export interface Command<O extends ParseArgsOptionsConfig> {
  /** How operators name it, e.g. `outbox:dead-letters`. */
  name: string;
  /** The usage text: synopsis lines, then what each flag does. */
  usage: string;
  options: O;
}

/** Parses strictly (unknown flags, missing values and stray arguments are usage errors). */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(command: Command<O>, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: command.options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // node:util reports misuse as ERR_PARSE_ARGS_* errors; its first sentence says what is wrong.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') && error instanceof Error) {
      throw new UsageError(error.message.split('. ')[0] ?? error.message);
    }
    throw error;
  }
}

/** `--id 12 --id 15` → [12n, 15n]; anything but positive integers is a usage error. */
export function positiveIds(flag: string, values: string[] | undefined): bigint[] | undefined {
  return values?.map((v) => {
    if (!/^[1-9]\d{0,18}$/.test(v)) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
    return BigInt(v);
  });
}

/**
 * A command's entry function: `main(argv, io)` runs `run` with the parsed flags and resolves to
 * the process exit code: 0 done (or `--help`), 2 usage error (message and usage on stderr),
 * 1 failure (one line on stderr, no stack trace: the message of a configuration or connection
 * error is what the operator needs).
 */
export function defineCommand<O extends ParseArgsOptionsConfig>(
  command: Command<O>,
  run: (values: ReturnType<typeof parseCommandArgs<O>>, io: CommandIo) => Promise<void>,
): (argv: string[], io?: CommandIo) => Promise<number> {
  return async (argv, io = consoleIo) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(command.usage);
      return 0;
    }
    try {
      await run(parseCommandArgs(command, argv), io);
      return 0;
    } catch (error) {
      if (error instanceof UsageError) {
        io.err(`${command.name}: ${error.message}`);
        io.err('');
        io.err(command.usage);
        return 2;
      }
      io.err(`${command.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  };
}

/** True when the module at `moduleUrl` is the script node (or tsx) was started with. */
export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (argv1 === undefined) return false;
  try {
    return pathToFileURL(realpathSync(argv1)).href === moduleUrl;
  } catch {
    return false;
  }
}
