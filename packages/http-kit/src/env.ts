import { z } from 'zod';

/** Comma-separated list, blanks dropped. */
export const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  );

export const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Like `boolish`, but unset stays `undefined`, so a default can depend on another variable. */
export const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

/** An integer variable with a default and a lower bound (1 unless given). */
export const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

/** `900`, `900s`, `15m`, `12h`, `7d` → seconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const m = /^(\d+)\s*([smhd]?)$/.exec(v.trim());
      if (!m) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration like 900, 15m, 12h or 7d' });
        return z.NEVER;
      }
      const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
      return Number(m[1]) * unit;
    });

/**
 * `TRUST_PROXY`: empty (trust nobody: the socket address is the client), a hop count, or a
 * comma-separated list of proxy addresses/CIDRs. Never `true`: trusting every hop would let a
 * client choose its own rate-limit bucket with a forged X-Forwarded-For.
 */
export const trustProxy = z
  .string()
  .default('')
  .transform((s, ctx): false | number | string[] => {
    const v = s.trim();
    if (v === '' || v === 'false' || v === '0') return false;
    if (/^\d+$/.test(v)) return Number(v);
    if (v === 'true') {
      ctx.addIssue({ code: 'custom', message: 'use a hop count or a CIDR list, not "true"' });
      return z.NEVER;
    }
    return v.split(',').map((p) => p.trim()).filter(Boolean);
  });

/**
 * How long a client may take and how many sockets one process holds. Without them a client
 * sending a byte per second keeps a socket and its request's memory forever (slowloris).
 */
export const DEFAULT_SERVER_LIMITS = {
  /** Receiving one whole request, headers and body; 408 after. Not the time to answer it. */
  requestTimeoutMs: 30_000,
  /** Receiving the headers; 408 after. At most requestTimeoutMs. */
  headersTimeoutMs: 10_000,
  /** A socket with no traffic either way while a request is open; SSE heartbeats count. */
  connectionTimeoutMs: 60_000,
  /** An idle keep-alive socket between requests; above the ingress's own (nginx: 60 s). */
  keepAliveTimeoutMs: 72_000,
  /** Sockets one process holds at once; the next ones are closed on accept. */
  maxConnections: 10_000,
};
export type ServerLimits = typeof DEFAULT_SERVER_LIMITS;

/** Variables both services read, with the same names and meaning. */
export const commonEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Unset: loopback outside production (see listenHost). */
  HOST: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: boolish,
  TRUST_PROXY: trustProxy,
  CORS_ORIGINS: csv,
  BODY_LIMIT: z.coerce.number().int().min(1024).default(64 * 1024),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * A direct (session) connection to the same database, for what a transaction-mode pooler
   * such as PgBouncer cannot carry: LISTEN and migrations' advisory locks. Default DATABASE_URL.
   */
  DATABASE_DIRECT_URL: z.string().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_MODE: z.enum(['standalone', 'cluster']).default('standalone'),
  REDIS_KEY_PREFIX: z.string().default('am:'),
  SERVICE_KEYS: csv,
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  REQUEST_TIMEOUT_MS: int(DEFAULT_SERVER_LIMITS.requestTimeoutMs, 100),
  HEADERS_TIMEOUT_MS: int(DEFAULT_SERVER_LIMITS.headersTimeoutMs, 100),
  CONNECTION_TIMEOUT_MS: int(DEFAULT_SERVER_LIMITS.connectionTimeoutMs, 100),
  KEEP_ALIVE_TIMEOUT_MS: int(DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs, 100),
  MAX_CONNECTIONS: int(DEFAULT_SERVER_LIMITS.maxConnections),
  /** Serve /docs and /docs/json; unset: everywhere but production (see docsEnabled). */
  DOCS_ENABLED: optionalBool,
};

type CommonEnv = z.output<z.ZodObject<typeof commonEnv>>;

/**
 * The common variables with one service's own defaults: its API port, its Prometheus `/metrics`
 * listener apart from it (0 turns either off) and its database.
 */
export function serviceEnv(defaults: { port: number; metricsPort: number; databaseUrl: string }) {
  return {
    ...commonEnv,
    PORT: int(defaults.port, 0),
    METRICS_PORT: int(defaults.metricsPort, 0),
    DATABASE_URL: z.string().default(defaults.databaseUrl),
  };
}

/**
 * Development listens on loopback only: a laptop on a café network must not serve the
 * internal routes (and their well-known development key) to its neighbours. Containers set
 * HOST=0.0.0.0 explicitly (the Dockerfiles do); production defaults to all interfaces.
 */
export function listenHost(env: Pick<CommonEnv, 'NODE_ENV' | 'HOST'>): string {
  return env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
}

/**
 * The API reference maps every route, internal ones included: a free survey of the attack
 * surface when public. Production serves it only when asked to (behind its own access control).
 */
export function docsEnabled(env: Pick<CommonEnv, 'NODE_ENV' | 'DOCS_ENABLED'>): boolean {
  return env.DOCS_ENABLED ?? env.NODE_ENV !== 'production';
}

export function serverLimits(env: CommonEnv): ServerLimits {
  return {
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    connectionTimeoutMs: env.CONNECTION_TIMEOUT_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.MAX_CONNECTIONS,
  };
}

/**
 * The part of every service's config that the common variables decide: its environment, where
 * and how it serves HTTP, and its log. `PORT` and `METRICS_PORT` are the service's own variables
 * (each has its own defaults); the service spreads this into its config and adds the rest.
 */
export function commonConfig(env: CommonEnv & { PORT: number; METRICS_PORT: number }) {
  return {
    env: env.NODE_ENV,
    http: {
      host: listenHost(env),
      port: env.PORT,
      metricsPort: env.METRICS_PORT,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS,
      bodyLimit: env.BODY_LIMIT,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      limits: serverLimits(env),
      docsEnabled: docsEnabled(env),
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
  };
}

/** Cross-variable rules of the common variables, for each service's `superRefine`. */
export function refineCommonEnv(env: CommonEnv, ctx: z.RefinementCtx): void {
  if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['HEADERS_TIMEOUT_MS'], message: 'must be at most REQUEST_TIMEOUT_MS' });
  }
}

/**
 * Outside production both services fall back to this shared key so `pnpm dev` works out of the
 * box; production refuses to start without explicit SERVICE_KEYS (each service's config.ts).
 */
export const DEV_SERVICE_KEY = 'dev-only-service-key-never-use-in-production';

export function serviceKeysFor(env: { NODE_ENV: string; SERVICE_KEYS: string[] }): string[] {
  if (env.SERVICE_KEYS.length > 0 || env.NODE_ENV === 'production') return env.SERVICE_KEYS;
  return [DEV_SERVICE_KEY];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; on failure names every bad variable, not just the first. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
}

export interface MigrationConfig {
  env: CommonEnv['NODE_ENV'];
  database: { url: string };
}

/**
 * What a service's one-shot migration needs, and nothing else: a migration Job gets the database
 * URL without the service's signing keys, SMTP credentials or service keys. Each service passes
 * its own DATABASE_URL schema (its default database name).
 */
export function migrationConfigLoader(databaseUrl: z.ZodType<string, string | undefined>) {
  const schema = z.object({ NODE_ENV: commonEnv.NODE_ENV, DATABASE_URL: databaseUrl, DATABASE_DIRECT_URL: commonEnv.DATABASE_DIRECT_URL });
  return (env: Record<string, string | undefined>): MigrationConfig => {
    const parsed = parseEnv(schema, env);
    // Migrations hold a session-level advisory lock: never through a transaction-mode pooler.
    return { env: parsed.NODE_ENV, database: { url: parsed.DATABASE_DIRECT_URL ?? parsed.DATABASE_URL } };
  };
}

/**
 * A service's two loaders, from its variables' schema, its mapping to the config and its
 * DATABASE_URL schema: `config` parses everything and fails fast naming every bad variable;
 * `migration` reads only what the one-shot migration needs (see migrationConfigLoader). The
 * service's `config.ts` hands them the process environment: it is the only module that reads it.
 */
export function configLoaders<S extends z.ZodType, C>(schema: S, toConfig: (env: z.output<S>) => C, databaseUrl: z.ZodType<string, string | undefined>) {
  return {
    config: (env: Record<string, string | undefined>): C => toConfig(parseEnv(schema, env)),
    migration: migrationConfigLoader(databaseUrl),
  };
}
