import { boolish, commonConfig, configLoaders, duration, int, refineCommonEnv, serviceEnv, serviceKeysFor } from '@authmeet/http-kit';
import { USER_SYNC_BATCH_MAX } from '@authmeet/contracts';
import { z } from 'zod';
import { parseMfaKeys, refineMfaEnv } from './modules/mfa/mfa-config.js';
import { avatarEnv, avatarEnvProblems, toAvatarConfig } from './modules/avatars/avatars.config.js';
import { allowlistEntryProblem } from './modules/oauth/redirect-allowlist.js';

const httpUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }))
  .transform((v) => v.replace(/\/+$/, ''));

/** A comma-separated list that may be absent (undefined) as opposed to set and empty ([]). */
const optionalCsv = z
  .string()
  .optional()
  .transform((s) => s?.split(',').map((v) => v.trim()).filter((v) => v.length > 0));

const smtpUrl = z.string().trim().regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL');

const envSchema = z
  .object({
    ...serviceEnv({ port: 5001, metricsPort: 9101, databaseUrl: 'postgresql://postgres@127.0.0.1:5432/authmeet_auth' }),
    JWT_ISSUER: z.string().default('authmeet-auth'),
    JWT_AUDIENCE: z.string().default('authmeet'),
    /** RFC 9068 `client_id` of access tokens whose client did not name itself. */
    JWT_DEFAULT_CLIENT_ID: z.string().trim().min(1).max(255).default('authmeet-web'),
    /** How far in the future a token's `iat` may be (clock skew between replicas). */
    JWT_MAX_IAT_SKEW_SEC: int(60, 0),
    /** A JWK set (JSON) of Ed25519 private keys; all are published, one signs. */
    JWT_PRIVATE_JWKS: z.string().optional(),
    JWT_PRIVATE_JWKS_FILE: z.string().optional(),
    JWT_ACTIVE_KID: z.string().optional(),
    DEV_KEYS_FILE: z.string().default('.keys/dev-jwks.json'),
    ACCESS_TOKEN_TTL: duration('15m'),
    REFRESH_TOKEN_TTL: duration('7d'),
    SESSION_ABSOLUTE_TTL: duration('30d'),
    /** Concurrent refreshes with one token (browser tabs) this long after its rotation all succeed. */
    REFRESH_REUSE_GRACE: duration('10s'),
    ARGON2_MEMORY_KIB: int(19456, 19456),
    ARGON2_TIME_COST: int(2, 2),
    ARGON2_PARALLELISM: int(1),
    ARGON2_MAX_CONCURRENCY: int(4),
    ARGON2_MAX_QUEUE: int(32, 0),
    PASSWORD_STRENGTH_THREADS: int(1),
    PASSWORD_STRENGTH_MAX_QUEUE: int(16, 0),
    PASSWORD_STRENGTH_IDLE_TIMEOUT: duration('10m'),
    REQUIRE_EMAIL_VERIFICATION: boolish,
    RATE_LIMIT_GLOBAL_MAX: int(600),
    RATE_LIMIT_WINDOW: duration('1m'),
    RATE_LIMIT_LOGIN_MAX: int(20),
    RATE_LIMIT_REGISTER_MAX: int(10),
    RATE_LIMIT_REFRESH_MAX: int(60),
    LOGIN_FAILURE_MAX: int(10),
    LOGIN_FAILURE_WINDOW: duration('15m'),
    LOGIN_ACCOUNT_FREE_FAILURES: int(10, 0),
    LOGIN_CLEAN_IP_ATTEMPTS: int(3, 0),
    LOGIN_MAX_DELAY: duration('5m'),
    LOGIN_MAX_WAIT_MS: int(1000, 0),
    LOGIN_TRUSTED_IP_TTL: duration('30d'),
    MEETINGS_SERVICE_URL: z.string().default('http://127.0.0.1:5000'),
    /** Key sent to the meetings-service's internal routes; defaults to our first accepted key. */
    MEETINGS_SERVICE_KEY: z.string().optional(),
    OUTBOX_RELAY_ENABLED: boolish.default(true),
    // One batch is one request to the meetings-service's batch route, which takes at most 500
    // users; the full 500 drained a backlog 4× faster than 50 (packages/bench README, round four).
    OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(USER_SYNC_BATCH_MAX).default(500),
    OUTBOX_CONCURRENCY: int(8),
    OUTBOX_POLL_MS: int(1000, 10),
    OUTBOX_MAX_BACKOFF_MS: int(30_000, 10),
    SYNC_HTTP_TIMEOUT_MS: int(2000, 10),
    SYNC_RETRIES: int(3, 0),
    SYNC_BREAKER_RESET_MS: int(5000, 10),
    /**
     * The web app: mailed links and the default OAuth redirect target live under it. Required in
     * production; elsewhere it defaults to the local ingress `pnpm dev` starts (`INGRESS_PORT`).
     */
    APP_BASE_URL: httpUrl.optional(),
    /** The port of `pnpm dev`'s ingress (packages/web-client), which serves the web app: the default APP_BASE_URL. */
    INGRESS_PORT: int(8080, 1),
    /** Where browsers reach this service, if not under APP_BASE_URL (the default OAuth callback). */
    AUTH_PUBLIC_URL: httpUrl.optional(),
    EMAIL_VERIFY_PATH: z.string().regex(/^\/[^\s?#]*$/, 'must be a path starting with "/"').default('/verify-email'),
    PASSWORD_RESET_PATH: z.string().regex(/^\/[^\s?#]*$/, 'must be a path starting with "/"').default('/reset-password'),
    EMAIL_VERIFICATION_TTL: duration('24h'),
    PASSWORD_RESET_TTL: duration('1h'),
    SMTP_URL: smtpUrl.optional(),
    MAIL_FROM: z.string().trim().min(3).default('"authmeet" <no-reply@authmeet.local>'),
    MAIL_WORKER_ENABLED: boolish.default(true),
    MAIL_POLL_MS: int(1000, 10),
    MAIL_BATCH_SIZE: int(10),
    MAIL_CONCURRENCY: int(4),
    MAIL_MAX_ATTEMPTS: int(20),
    MAIL_MAX_BACKOFF_MS: int(300_000, 10),
    MAIL_SEND_TIMEOUT_MS: int(10_000, 100),
    MAIL_RETENTION: duration('7d'),
    /** Audit events older than this are pruned (the chain stays verifiable from its anchor). */
    AUDIT_RETENTION: duration('400d'),
    AUDIT_PRUNE_INTERVAL: duration('1h'),
    AUDIT_PRUNE_ENABLED: boolish.default(true),
    /** Account mails (reset, verification resend) per address per window, whoever asks. */
    MAIL_ADDRESS_MAX: int(5),
    MAIL_ADDRESS_WINDOW: duration('1h'),
    RATE_LIMIT_FORGOT_MAX: int(5),
    RATE_LIMIT_ACCOUNT_MAX: int(30),
    /** `password/forgot` never answers sooner, so known and unknown emails take the same time. */
    FORGOT_MIN_RESPONSE_MS: int(250, 0),
    GOOGLE_ISSUER: httpUrl.default('https://accounts.google.com'),
    GOOGLE_CLIENT_ID: z.string().trim().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().trim().min(1).optional(),
    GOOGLE_REDIRECT_URI: httpUrl.optional(),
    /** Where the OAuth callback may send the browser: origins or URL prefixes, comma-separated. */
    OAUTH_REDIRECT_ALLOWLIST: optionalCsv,
    OAUTH_STATE_TTL: duration('10m'),
    OAUTH_CODE_TTL: duration('60s'),
    OAUTH_HTTP_TIMEOUT_MS: int(5000, 100),
    /** TOTP, recovery codes and the second login step; passkeys work either way. */
    MFA_ENABLED: boolish.default(true),
    /** `id:base64(32 bytes)` entries, comma-separated: the first encrypts, every one decrypts. */
    MFA_ENCRYPTION_KEY: optionalCsv,
    /** The `issuer` authenticator apps show next to the account. */
    MFA_ISSUER: z.string().trim().min(1).max(64).default('authmeet'),
    MFA_TOKEN_TTL: duration('5m'),
    /** Wrong codes one `mfaToken` survives; the next one kills it. */
    MFA_TOKEN_MAX_ATTEMPTS: int(5),
    /** The relying party: the registrable domain the web app is served from. */
    WEBAUTHN_RP_ID: z.string().trim().min(1).max(253).optional(),
    WEBAUTHN_RP_NAME: z.string().trim().min(1).max(64).default('authmeet'),
    /** Origins (scheme://host[:port]) passkey ceremonies may come from, comma-separated. */
    WEBAUTHN_ORIGINS: optionalCsv,
    WEBAUTHN_CHALLENGE_TTL: duration('5m'),
    ...avatarEnv,
  })
  .superRefine((env, ctx) => {
    refineCommonEnv(env, ctx);
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
    if (env.NODE_ENV === 'production' && !env.APP_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['APP_BASE_URL'], message: 'production needs the web app URL (mailed links point there)' });
    }
    if (env.NODE_ENV === 'production' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'production needs an SMTP server' });
    }
    if (env.GOOGLE_CLIENT_ID && !env.GOOGLE_CLIENT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['GOOGLE_CLIENT_SECRET'], message: 'is required with GOOGLE_CLIENT_ID' });
    }
    // Plain-HTTP token exchanges are for a local test provider only, never in production.
    if (env.NODE_ENV === 'production' && env.GOOGLE_CLIENT_ID && !env.GOOGLE_ISSUER.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['GOOGLE_ISSUER'], message: 'must be https in production' });
    }
    refineMfaEnv(env, ctx);
    for (const [i, entry] of (env.OAUTH_REDIRECT_ALLOWLIST ?? []).entries()) {
      const problem = allowlistEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', path: ['OAUTH_REDIRECT_ALLOWLIST', i], message: `"${entry}" ${problem}` });
    }
    for (const p of avatarEnvProblems(env)) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
  });

export type Env = z.output<typeof envSchema>;

/**
 * The web app's URL: APP_BASE_URL, or (outside production, where it is required) the ingress of
 * `pnpm dev`, which serves the web client next to both APIs. `localhost` rather than 127.0.0.1:
 * passkeys need a domain as their relying party.
 */
function appBaseUrlOf(env: Env): string {
  return env.APP_BASE_URL ?? `http://localhost:${env.INGRESS_PORT}`;
}

/** Second factors: TOTP and its key ring, passkeys' relying party. */
function mfaConfig(env: Env) {
  const app = new URL(appBaseUrlOf(env));
  return {
    mfa: {
      enabled: env.MFA_ENABLED,
      encryptionKeys: parseMfaKeys(env.MFA_ENCRYPTION_KEY ?? []),
      issuer: env.MFA_ISSUER,
      tokenTtlSec: env.MFA_TOKEN_TTL,
      tokenMaxAttempts: env.MFA_TOKEN_MAX_ATTEMPTS,
    },
    webauthn: {
      // Defaults follow the web app, so a laptop setup works without configuration.
      rpId: env.WEBAUTHN_RP_ID ?? app.hostname,
      rpName: env.WEBAUTHN_RP_NAME,
      origins: env.WEBAUTHN_ORIGINS ?? [app.origin],
      challengeTtlSec: env.WEBAUTHN_CHALLENGE_TTL,
    },
  };
}

/** Where the service listens and what it talks to. */
function platformConfig(env: Env) {
  return {
    ...commonConfig(env),
    // directUrl: the outbox relay's LISTEN needs a session of its own (see DATABASE_DIRECT_URL).
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE, directUrl: env.DATABASE_DIRECT_URL } as { url: string; poolSize: number; directUrl?: string | undefined },
    redis: { url: env.REDIS_URL, mode: env.REDIS_MODE, keyPrefix: env.REDIS_KEY_PREFIX },
    serviceKeys: serviceKeysFor(env),
  };
}

/**
 * Cookie mode (api.md "Browser sessions"): the origins whose requests may use the refresh
 * cookie are the CORS allowlist plus the web app's own origin (served by the same ingress, it
 * needs no CORS). Outside production, loopback origins on any port too, so `pnpm dev`'s ingress
 * (http://127.0.0.1:8080 or http://localhost:8080) works without configuration.
 */
function browserSessionsConfig(env: Env) {
  const appOrigin = new URL(appBaseUrlOf(env)).origin;
  return { origins: [...new Set([...env.CORS_ORIGINS, appOrigin])], allowLoopback: env.NODE_ENV !== 'production' };
}

/** Tokens, sessions, password hashing and the limits on guessing. */
function securityConfig(env: Env) {
  return {
    jwt: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      privateJwks: env.JWT_PRIVATE_JWKS,
      privateJwksFile: env.JWT_PRIVATE_JWKS_FILE,
      activeKid: env.JWT_ACTIVE_KID,
      devKeysFile: env.DEV_KEYS_FILE,
      accessTokenTtlSec: env.ACCESS_TOKEN_TTL,
      defaultClientId: env.JWT_DEFAULT_CLIENT_ID,
      maxIatSkewSec: env.JWT_MAX_IAT_SKEW_SEC,
    },
    sessions: { refreshTtlSec: env.REFRESH_TOKEN_TTL, absoluteTtlSec: env.SESSION_ABSOLUTE_TTL, refreshReuseGraceSec: env.REFRESH_REUSE_GRACE },
    browserSessions: browserSessionsConfig(env),
    argon2: {
      memoryCost: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
      maxConcurrency: env.ARGON2_MAX_CONCURRENCY,
      maxQueue: env.ARGON2_MAX_QUEUE,
    },
    passwordStrength: { threads: env.PASSWORD_STRENGTH_THREADS, maxQueue: env.PASSWORD_STRENGTH_MAX_QUEUE, idleTimeoutMs: env.PASSWORD_STRENGTH_IDLE_TIMEOUT * 1000 },
    rateLimit: {
      forgotMax: env.RATE_LIMIT_FORGOT_MAX,
      accountMax: env.RATE_LIMIT_ACCOUNT_MAX,
      windowSec: env.RATE_LIMIT_WINDOW,
      globalMax: env.RATE_LIMIT_GLOBAL_MAX,
      loginMax: env.RATE_LIMIT_LOGIN_MAX,
      registerMax: env.RATE_LIMIT_REGISTER_MAX,
      refreshMax: env.RATE_LIMIT_REFRESH_MAX,
    },
    bruteForce: {
      ipMax: env.LOGIN_FAILURE_MAX,
      windowSec: env.LOGIN_FAILURE_WINDOW,
      accountFreeFailures: env.LOGIN_ACCOUNT_FREE_FAILURES,
      cleanIpAttempts: env.LOGIN_CLEAN_IP_ATTEMPTS,
      maxDelaySec: env.LOGIN_MAX_DELAY,
      maxWaitMs: env.LOGIN_MAX_WAIT_MS,
      trustedTtlSec: env.LOGIN_TRUSTED_IP_TTL,
    },
  };
}

/** The two background deliveries: user sync to the meetings-service, and mail. */
function deliveryConfig(env: Env) {
  return {
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
    mail: {
      smtpUrl: env.SMTP_URL ?? 'smtp://127.0.0.1:1025',
      from: env.MAIL_FROM,
      workerEnabled: env.MAIL_WORKER_ENABLED,
      pollMs: env.MAIL_POLL_MS,
      batchSize: env.MAIL_BATCH_SIZE,
      concurrency: env.MAIL_CONCURRENCY,
      maxAttempts: env.MAIL_MAX_ATTEMPTS,
      maxBackoffMs: env.MAIL_MAX_BACKOFF_MS,
      sendTimeoutMs: env.MAIL_SEND_TIMEOUT_MS,
      retentionSec: env.MAIL_RETENTION,
    },
    audit: { retentionSec: env.AUDIT_RETENTION, pruneIntervalSec: env.AUDIT_PRUNE_INTERVAL, pruneEnabled: env.AUDIT_PRUNE_ENABLED },
  };
}

/** The account flows and Google sign-in, whose links point at the web app. */
function accountConfig(env: Env) {
  const appBaseUrl = appBaseUrlOf(env);
  return {
    requireEmailVerification: env.REQUIRE_EMAIL_VERIFICATION,
    account: {
      appBaseUrl,
      verifyEmailUrl: `${appBaseUrl}${env.EMAIL_VERIFY_PATH}`,
      resetPasswordUrl: `${appBaseUrl}${env.PASSWORD_RESET_PATH}`,
      verificationTtlSec: env.EMAIL_VERIFICATION_TTL,
      resetTtlSec: env.PASSWORD_RESET_TTL,
      addressMailMax: env.MAIL_ADDRESS_MAX,
      addressMailWindowSec: env.MAIL_ADDRESS_WINDOW,
      forgotMinResponseMs: env.FORGOT_MIN_RESPONSE_MS,
    },
    google: {
      enabled: env.GOOGLE_CLIENT_ID !== undefined,
      issuer: env.GOOGLE_ISSUER,
      clientId: env.GOOGLE_CLIENT_ID ?? '',
      clientSecret: env.GOOGLE_CLIENT_SECRET ?? '',
      redirectUri: env.GOOGLE_REDIRECT_URI ?? `${env.AUTH_PUBLIC_URL ?? appBaseUrl}/v1/auth/oauth/google/callback`,
      httpTimeoutMs: env.OAUTH_HTTP_TIMEOUT_MS,
    },
    oauth: {
      // By default only the web app itself may receive sign-in results.
      redirectAllowlist: env.OAUTH_REDIRECT_ALLOWLIST ?? [appBaseUrl],
      defaultRedirect: `${appBaseUrl}/`,
      stateTtlSec: env.OAUTH_STATE_TTL,
      codeTtlSec: env.OAUTH_CODE_TTL,
    },
  };
}

function toConfig(env: Env) {
  return { ...platformConfig(env), ...securityConfig(env), ...deliveryConfig(env), ...accountConfig(env), ...mfaConfig(env), avatars: toAvatarConfig(env) };
}

export type Config = ReturnType<typeof toConfig>;

const loaders = configLoaders(envSchema, toConfig, envSchema.shape.DATABASE_URL);
/** The only reader of the environment. Fails fast naming every bad variable. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => loaders.config(env);
/** What the one-shot migration needs, and nothing else. */
export const loadMigrationConfig = (env: Record<string, string | undefined> = process.env) => loaders.migration(env);
