import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

/**
 * A request's logger, made only when the request logs something its level lets through.
 *
 * Fastify gives every request a child of the service's logger, bound to its id. With redaction
 * configured (the wildcard paths in `redactPaths`), pino passes each binding through the redactor
 * while it builds that child: 4.7 KB allocated per request, on every request, whether or not it
 * ever logs. Most never do: a successful request logs nothing at `warn`, nor does a health probe
 * (its routes log at `warn`) at any level. So the child is built on the first call that would
 * write, with the same bindings and options, and every call after that goes to it; a call below
 * the level is dropped exactly as pino drops it.
 */
class DeferredChild {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  readonly #threshold: number;
  #real: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
    this.#threshold = parent.levels.values[options.level ?? parent.level] ?? 0;
  }

  /** The real child: made once, on first need. */
  get logger(): Logger {
    this.#real ??= this.#parent.child(this.#bindings, this.#options);
    return this.#real;
  }

  get level(): string {
    return this.#real?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  isLevelEnabled(level: string): boolean {
    if (this.#real) return this.#real.isLevelEnabled(level);
    const value = this.#parent.levels.values[level];
    return value !== undefined && value >= this.#threshold;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  bindings(): Bindings {
    return this.logger.bindings();
  }

  silent(): void {}

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  #write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }
}

/** Fastify's `childLoggerFactory`: see DeferredChild. */
export function deferredChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // Without a logger (`logger: false`) Fastify's stand-in is no pino: its child is itself, free.
  if ((logger as Partial<Logger>).levels === undefined) return logger.child(bindings, options);
  return new DeferredChild(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
