import { commonEnv, boolish, parseEnv, serviceKeysFor } from '@authmeet/http-kit';
import { z } from 'zod';

/** `900`, `900s`, `15m`, `12h`, `7d` → seconds. */
const duration = (fallback: string) =>
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

const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

const envSchema = z
  .object({
    ...commonEnv,
    PORT: int(5001, 0),
    DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/authmeet_auth'),
    JWT_ISSUER: z.string().default('authmeet-auth'),
    JWT_AUDIENCE: z.string().default('authmeet'),
    /** A JWK set (JSON) of Ed25519 private keys; all are published, one signs. */
    JWT_PRIVATE_JWKS: z.string().optional(),
    JWT_PRIVATE_JWKS_FILE: z.string().optional(),
    JWT_ACTIVE_KID: z.string().optional(),
    DEV_KEYS_FILE: z.string().default('.keys/dev-jwks.json'),
    ACCESS_TOKEN_TTL: duration('15m'),
    REFRESH_TOKEN_TTL: duration('7d'),
    SESSION_ABSOLUTE_TTL: duration('30d'),
    ARGON2_MEMORY_KIB: int(19456, 19456),
    ARGON2_TIME_COST: int(2, 2),
    ARGON2_PARALLELISM: int(1),
    ARGON2_MAX_CONCURRENCY: int(4),
    REQUIRE_EMAIL_VERIFICATION: boolish,
    RATE_LIMIT_GLOBAL_MAX: int(600),
    RATE_LIMIT_WINDOW: duration('1m'),
    RATE_LIMIT_LOGIN_MAX: int(20),
    RATE_LIMIT_REGISTER_MAX: int(10),
    RATE_LIMIT_REFRESH_MAX: int(60),
    LOGIN_FAILURE_MAX: int(10),
    LOGIN_FAILURE_WINDOW: duration('15m'),
    MEETINGS_SERVICE_URL: z.string().default('http://127.0.0.1:5000'),
    /** Key sent to the meetings-service's internal routes; defaults to our first accepted key. */
    MEETINGS_SERVICE_KEY: z.string().optional(),
    OUTBOX_RELAY_ENABLED: boolish.default(true),
    OUTBOX_BATCH_SIZE: int(50),
    OUTBOX_CONCURRENCY: int(8),
    OUTBOX_POLL_MS: int(1000, 10),
    OUTBOX_MAX_BACKOFF_MS: int(30_000, 10),
    SYNC_HTTP_TIMEOUT_MS: int(2000, 10),
    SYNC_RETRIES: int(3, 0),
    SYNC_BREAKER_RESET_MS: int(5000, 10),
  })
  .superRefine((env, ctx) => {
    if (env.SESSION_ABSOLUTE_TTL < env.REFRESH_TOKEN_TTL) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_ABSOLUTE_TTL'], message: 'must be at least REFRESH_TOKEN_TTL' });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_PRIVATE_JWKS && !env.JWT_PRIVATE_JWKS_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_PRIVATE_JWKS'],
        message: 'production needs signing keys (JWT_PRIVATE_JWKS or JWT_PRIVATE_JWKS_FILE)',
      });
    }
    if (env.NODE_ENV === 'production' && env.OUTBOX_RELAY_ENABLED && !env.MEETINGS_SERVICE_KEY) {
      ctx.addIssue({ code: 'custom', path: ['MEETINGS_SERVICE_KEY'], message: 'production needs the key for the meetings-service' });
    }
    if (env.NODE_ENV === 'production' && env.SERVICE_KEYS.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['SERVICE_KEYS'], message: 'production needs at least one service key' });
    }
  });

export type Env = z.output<typeof envSchema>;

function toConfig(env: Env) {
  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      trustProxy: env.TRUST_PROXY,
      corsOrigins: env.CORS_ORIGINS,
      bodyLimit: env.BODY_LIMIT,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, mode: env.REDIS_MODE, keyPrefix: env.REDIS_KEY_PREFIX },
    serviceKeys: serviceKeysFor(env),
    jwt: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      privateJwks: env.JWT_PRIVATE_JWKS,
      privateJwksFile: env.JWT_PRIVATE_JWKS_FILE,
      activeKid: env.JWT_ACTIVE_KID,
      devKeysFile: env.DEV_KEYS_FILE,
      accessTokenTtlSec: env.ACCESS_TOKEN_TTL,
    },
    sessions: { refreshTtlSec: env.REFRESH_TOKEN_TTL, absoluteTtlSec: env.SESSION_ABSOLUTE_TTL },
    argon2: {
      memoryCost: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
      maxConcurrency: env.ARGON2_MAX_CONCURRENCY,
    },
    requireEmailVerification: env.REQUIRE_EMAIL_VERIFICATION,
    sync: {
      meetingsUrl: env.MEETINGS_SERVICE_URL,
      serviceKey: env.MEETINGS_SERVICE_KEY ?? serviceKeysFor(env)[0] ?? '',
      relayEnabled: env.OUTBOX_RELAY_ENABLED,
      batchSize: env.OUTBOX_BATCH_SIZE,
      concurrency: env.OUTBOX_CONCURRENCY,
      pollMs: env.OUTBOX_POLL_MS,
      maxBackoffMs: env.OUTBOX_MAX_BACKOFF_MS,
      timeoutMs: env.SYNC_HTTP_TIMEOUT_MS,
      retries: env.SYNC_RETRIES,
      breakerResetMs: env.SYNC_BREAKER_RESET_MS,
    },
    rateLimit: {
      windowSec: env.RATE_LIMIT_WINDOW,
      globalMax: env.RATE_LIMIT_GLOBAL_MAX,
      loginMax: env.RATE_LIMIT_LOGIN_MAX,
      registerMax: env.RATE_LIMIT_REGISTER_MAX,
      refreshMax: env.RATE_LIMIT_REFRESH_MAX,
      loginFailureMax: env.LOGIN_FAILURE_MAX,
      loginFailureWindowSec: env.LOGIN_FAILURE_WINDOW,
    },
  };
}

export type Config = ReturnType<typeof toConfig>;

/** The only reader of the environment. Fails fast naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return toConfig(parseEnv(envSchema, env));
}
