import { commonConfig, configLoaders, duration, int, optionalBool, refineCommonEnv, serviceEnv, serviceKeysFor } from '@authmeet/http-kit';
import { z } from 'zod';

const httpUrl = () => z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const envSchema = z
  .object({
    ...serviceEnv({ port: 5000, metricsPort: 9100, databaseUrl: 'postgresql://postgres@127.0.0.1:5432/authmeet_meetings' }),
    AUTH_SERVICE_URL: httpUrl().default('http://127.0.0.1:5001'),
    AUTH_JWKS_URL: httpUrl().optional(),
    AUTH_JWKS_ALLOW_HTTP: optionalBool,
    AUTH_JWKS_COOLDOWN_MS: int(30_000, 0),
    AUTH_JWKS_CACHE_MAX_AGE_MS: int(600_000, 0),
    AUTH_JWKS_TIMEOUT_MS: int(2_000),
    JWT_ISSUER: z.string().min(1).default('authmeet-auth'),
    JWT_AUDIENCE: z.string().min(1).default('authmeet'),
    JWT_CLOCK_TOLERANCE_SEC: int(5, 0),
    /** How far in the future a token's `iat` may be (the auth-service's clock ahead of ours). */
    JWT_MAX_IAT_SKEW_SEC: int(60, 0),
    AUTH_SERVICE_KEY: z.string().min(1).optional(),
    AUTH_CLIENT_TIMEOUT_MS: int(1_000),
    AUTH_CLIENT_RETRIES: int(2, 0),
    AUTH_CLIENT_RETRY_MIN_MS: int(100),
    AUTH_CLIENT_RETRY_MAX_MS: int(1_000),
    AUTH_CLIENT_BREAKER_THRESHOLD_PERCENT: int(50, 0),
    AUTH_CLIENT_BREAKER_VOLUME: int(5, 0),
    AUTH_CLIENT_BREAKER_RESET_MS: int(10_000),
    AUTH_CLIENT_BREAKER_TIMEOUT_MS: int(5_000),
    REVOCATION_START_TIMEOUT_MS: int(3_000),
    SSE_HEARTBEAT_MS: int(15_000, 100),
    /** Open event streams one user may hold across all replicas (counted in Redis). */
    SSE_MAX_STREAMS_PER_USER: int(10),
    RATE_LIMIT_GLOBAL_MAX: int(600),
    RATE_LIMIT_WINDOW: duration('1m'),
    /** Converge the user copy on the auth-service's directory after start (one replica runs it). */
    RECONCILE_ON_START: optionalBool,
    RECONCILE_PAGE_SIZE: int(100),
    /** Known users are re-admitted from memory for this long (0 reads the users table every time). */
    ADMIT_CACHE_TTL_MS: int(10_000, 0),
  })
  .superRefine((env, ctx) => {
    refineCommonEnv(env, ctx);
    const production = env.NODE_ENV === 'production';
    if (production && env.SERVICE_KEYS.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['SERVICE_KEYS'], message: 'production needs at least one service key' });
    }
    if (production && env.AUTH_SERVICE_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_SERVICE_KEY'], message: 'production needs the key to call the auth-service with' });
    }
    if (env.AUTH_CLIENT_RETRY_MAX_MS < env.AUTH_CLIENT_RETRY_MIN_MS) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_CLIENT_RETRY_MAX_MS'], message: 'must be at least AUTH_CLIENT_RETRY_MIN_MS' });
    }
    // An event stream is idle between heartbeats: a shorter socket timeout would cut every one.
    if (env.CONNECTION_TIMEOUT_MS <= env.SSE_HEARTBEAT_MS) {
      ctx.addIssue({ code: 'custom', path: ['CONNECTION_TIMEOUT_MS'], message: 'must be longer than SSE_HEARTBEAT_MS' });
    }
    if (env.AUTH_CLIENT_BREAKER_THRESHOLD_PERCENT > 100) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_CLIENT_BREAKER_THRESHOLD_PERCENT'], message: 'must be at most 100' });
    }
  });

export type Env = z.output<typeof envSchema>;

function toConfig(env: Env) {
  const production = env.NODE_ENV === 'production';
  return {
    ...commonConfig(env),
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    /**
     * REDIS_KEY_PREFIX is the deployment's shared prefix, the same value the auth-service uses:
     * revocation keys and the revocation channel live under it and are read as they are. This
     * service's own keys (rate limits, meeting event channels) get `meetings:` below it, so its
     * per-IP rate-limit buckets never add up with the auth-service's.
     */
    redis: { url: env.REDIS_URL, mode: env.REDIS_MODE, keyPrefix: `${env.REDIS_KEY_PREFIX}meetings:` },
    revocation: { keyPrefix: env.REDIS_KEY_PREFIX, startTimeoutMs: env.REVOCATION_START_TIMEOUT_MS },
    serviceKeys: serviceKeysFor(env),
    jwt: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      clockToleranceSec: env.JWT_CLOCK_TOLERANCE_SEC,
      maxIatSkewSec: env.JWT_MAX_IAT_SKEW_SEC,
      jwksUrl: env.AUTH_JWKS_URL ?? `${env.AUTH_SERVICE_URL.replace(/\/+$/, '')}/.well-known/jwks.json`,
      // Plain http lets anyone on the path swap signing keys: only outside production by default.
      allowInsecureHttp: env.AUTH_JWKS_ALLOW_HTTP ?? !production,
      cooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
      cacheMaxAgeMs: env.AUTH_JWKS_CACHE_MAX_AGE_MS,
      timeoutMs: env.AUTH_JWKS_TIMEOUT_MS,
    },
    authService: {
      url: env.AUTH_SERVICE_URL,
      // Production requires it explicitly (superRefine); elsewhere the first accepted key. Without
      // any, unknown users cannot be fetched and get a 503 (the app warns at start).
      serviceKey: env.AUTH_SERVICE_KEY ?? (production ? undefined : serviceKeysFor(env)[0]),
      timeoutMs: env.AUTH_CLIENT_TIMEOUT_MS,
      retry: { retries: env.AUTH_CLIENT_RETRIES, minTimeoutMs: env.AUTH_CLIENT_RETRY_MIN_MS, maxTimeoutMs: env.AUTH_CLIENT_RETRY_MAX_MS },
      breaker: {
        errorThresholdPercentage: env.AUTH_CLIENT_BREAKER_THRESHOLD_PERCENT,
        volumeThreshold: env.AUTH_CLIENT_BREAKER_VOLUME,
        resetTimeoutMs: env.AUTH_CLIENT_BREAKER_RESET_MS,
        timeoutMs: env.AUTH_CLIENT_BREAKER_TIMEOUT_MS,
      },
    },
    sse: { heartbeatMs: env.SSE_HEARTBEAT_MS, maxStreamsPerUser: env.SSE_MAX_STREAMS_PER_USER },
    reconcile: { onStart: env.RECONCILE_ON_START ?? false, pageSize: env.RECONCILE_PAGE_SIZE },
    admitCacheTtlMs: env.ADMIT_CACHE_TTL_MS,
    rateLimit: { globalMax: env.RATE_LIMIT_GLOBAL_MAX, windowSec: env.RATE_LIMIT_WINDOW },
  };
}

export type Config = ReturnType<typeof toConfig>;

const loaders = configLoaders(envSchema, toConfig, envSchema.shape.DATABASE_URL);
/** The only reader of the environment. Fails fast naming every bad variable. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => loaders.config(env);
/** What the one-shot migration needs, and nothing else. */
export const loadMigrationConfig = (env: Record<string, string | undefined> = process.env) => loaders.migration(env);
