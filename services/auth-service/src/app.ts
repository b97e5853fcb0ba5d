import { createPublicKey } from 'node:crypto';
import { createTokenVerifier } from '@authmeet/auth-tokens';
import type { HttpApp, LoggerOptions } from '@authmeet/http-kit';
import {
  REDIS_COMMAND_TIMEOUT_MS,
  bearerAuth,
  createHttpApp,
  healthRoutes,
  loggerOptions,
  rateLimits,
  redisClient,
  toTokenAppError,
} from '@authmeet/http-kit';
import fastifyJwt from '@fastify/jwt';
import { migrationsDirOf, schemaReadinessCheck } from '@authmeet/db-migrate';
import type { Config } from './config.js';
import { mapInfrastructureError } from './errors.js';
import { createAccountMails } from './modules/account/account-mails.js';
import { createAccountTokensRepository } from './modules/account/account-tokens.repository.js';
import { accountRoutes } from './modules/account/account.routes.js';
import { createAccountService } from './modules/account/account.service.js';
import { createAddressThrottle } from './modules/account/address-throttle.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createLoginThrottle } from './modules/auth/login-throttle.js';
import type { KeyRing } from './modules/keys/key-ring.js';
import { loadKeyRing } from './modules/keys/key-ring.js';
import { keysRoutes } from './modules/keys/keys.routes.js';
import { createMailer } from './modules/mail/mailer.js';
import type { Mailer } from './modules/mail/mailer.js';
import { createMailRepository } from './modules/mail/mail.repository.js';
import { createMailWorker } from './modules/mail/mail.worker.js';
import type { MailWorker } from './modules/mail/mail.worker.js';
import { createGoogleClient } from './modules/oauth/google-client.js';
import { createIdentitiesRepository } from './modules/oauth/oauth.repository.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { createOAuthService } from './modules/oauth/oauth.service.js';
import { createOAuthStore } from './modules/oauth/oauth-store.js';
import { createRedirectAllowlist } from './modules/oauth/redirect-allowlist.js';
import { createPasswordHasher } from './modules/passwords/password-hasher.js';
import { createPasswordPolicy } from './modules/passwords/password-policy.js';
import type { PasswordHasher } from './modules/passwords/password-hasher.js';
import { createSessionsRepository } from './modules/sessions/sessions.repository.js';
import { sessionsRoutes } from './modules/sessions/sessions.routes.js';
import { createMeetingsTarget } from './modules/outbox/meetings-target.js';
import type { OutboxRow } from './modules/outbox/outbox.repository.js';
import { createOutboxRepository } from './modules/outbox/outbox.repository.js';
import { createOutboxRelay } from './modules/outbox/outbox.relay.js';
import type { UserSyncTarget } from './modules/outbox/outbox.relay.js';
import { createUsersRepository } from './modules/users/users.repository.js';
import { internalUsersRoutes } from './modules/users/users.routes.js';
import { authMetrics } from './plugins/auth-metrics.js';
import { prismaClient } from './plugins/prisma.js';

export interface AppOverrides {
  logger?: LoggerOptions | false;
  clock?: () => number;
  keyRing?: KeyRing;
  hasher?: PasswordHasher;
  /** Replaces the meetings-service client of the outbox relay (tests). */
  syncTarget?: UserSyncTarget;
  onOutboxDelivered?: (row: OutboxRow) => Promise<void>;
  /** Replaces the SMTP sender of the mail worker (tests). */
  mailer?: Pick<Mailer, 'send'>;
}

/** Builds the auth-service without listening and without reading the environment. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'auth-service',
    logger: overrides.logger ?? loggerOptions('auth-service', config.log),
    trustProxy: config.http.trustProxy,
    bodyLimit: config.http.bodyLimit,
    limits: config.http.limits,
    corsOrigins: config.http.corsOrigins,
    mapError: mapInfrastructureError,
    docs: {
      enabled: config.http.docsEnabled,
      title: 'auth-service',
      version: '0.1.0',
      description: 'Registration, login, tokens, sessions and the user directory of the system.',
    },
  });

  await app.register(prismaClient, config.database);
  await app.register(redisClient, config.redis);
  await app.register(rateLimits, { redis: app.redis, globalMax: config.rateLimit.globalMax, windowSec: config.rateLimit.windowSec });
  await app.register(authMetrics, { keyPrefix: config.redis.keyPrefix, mapError: mapInfrastructureError });

  const clock = overrides.clock ?? Date.now;
  const keyRing = overrides.keyRing ?? (await loadKeyRing({ ...config.jwt, env: config.env }, (m) => app.log.warn(m)));
  const hasher = overrides.hasher ?? (await createPasswordHasher(config.argon2));
  const passwordPolicy = createPasswordPolicy(config.passwordStrength);
  app.addHook('onReady', async () => passwordPolicy.warm());
  app.addHook('onClose', async () => passwordPolicy.close());

  await app.register(fastifyJwt, {
    secret: {
      private: keyRing.active.privateKey.export({ format: 'pem', type: 'pkcs8' }),
      // Verification goes through @authmeet/auth-tokens (all published keys, pinned policy).
      public: createPublicKey(keyRing.active.privateKey).export({ format: 'pem', type: 'spki' }),
    },
    sign: {
      algorithm: 'EdDSA',
      kid: keyRing.active.kid,
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      // RFC 9068 access-token type: verifiers refuse anything else (e.g. an ID token).
      header: { alg: 'EdDSA', typ: 'at+jwt' },
    },
  });

  const users = createUsersRepository(app.prisma);
  const outbox = createOutboxRepository(app.prisma);
  // Tokens of a session stay refusable for as long as any of them can live, plus clock skew.
  const revocationTtlSec = config.jwt.accessTokenTtlSec + 60;
  const sessions = createSessionsRepository(app.redis, { keyPrefix: config.redis.keyPrefix, revocationTtlSec });

  const verifier = createTokenVerifier({
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    keys: { kind: 'local', jwks: keyRing.publicJwks },
    maxIatSkewSec: config.jwt.maxIatSkewSec,
    // Here the session store itself is the truth: a token is live only while its session is.
    revocation: { isRevoked: async (c) => !(await sessions.exists(c.sub, c.sid)) },
  });

  const mails = createMailRepository(app.prisma);
  const accountTokens = createAccountTokensRepository(app.prisma);
  const accountMails = createAccountMails({ users, tokens: accountTokens, mails, clock, config: config.account });
  const smtp = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, timeoutMs: config.mail.sendTimeoutMs });
  const mailWorker = createMailWorker({
    mails,
    mailer: overrides.mailer ?? smtp,
    composers: accountMails.composers,
    log: app.log,
    metrics: app.metrics,
    batchSize: config.mail.batchSize,
    concurrency: config.mail.concurrency,
    pollMs: config.mail.pollMs,
    maxAttempts: config.mail.maxAttempts,
    maxBackoffMs: config.mail.maxBackoffMs,
    // Connect, greeting and socket timeouts can each run out once: a live send never outlasts this.
    leaseMs: config.mail.sendTimeoutMs * 4 + 5000,
    retentionSec: config.mail.retentionSec,
    housekeeping: async () => {
      await accountTokens.purgeExpired(new Date(clock() - config.mail.retentionSec * 1000));
    },
  });
  const kickMail = () => mailWorker.kick();

  // One throttle for every check of a password: login, password change, account deletion.
  const throttle = createLoginThrottle(app.redis, config.bruteForce);
  const auth = createAuthService({
    users,
    outbox,
    sessions,
    hasher,
    passwordPolicy,
    verificationMail: { enqueue: accountMails.enqueueVerification, kick: kickMail },
    throttle,
    // RFC 9068 requires client_id; clients do not name themselves yet, so the configured default.
    signAccessToken: (claims, exp) => app.jwt.sign({ ...claims, client_id: config.jwt.defaultClientId, exp }),
    // Half the client's timeout: a rotation Redis runs after we gave up is refused by the script.
    rotationBudgetMs: REDIS_COMMAND_TIMEOUT_MS / 2,
    clock,
    config: {
      accessTokenTtlSec: config.jwt.accessTokenTtlSec,
      refreshTtlSec: config.sessions.refreshTtlSec,
      absoluteTtlSec: config.sessions.absoluteTtlSec,
      refreshReuseGraceSec: config.sessions.refreshReuseGraceSec,
      requireEmailVerification: config.requireEmailVerification,
    },
  });

  const verifyToken = async (token: string) => {
    try {
      return await verifier.verify(token);
    } catch (error) {
      throw toTokenAppError(error);
    }
  };
  await app.register(bearerAuth, { verify: verifyToken });

  await app.register(healthRoutes, {
    checks: {
      postgres: async () => {
        await app.prisma.$queryRaw`SELECT 1`;
      },
      redis: async () => {
        await app.redis.ping();
      },
      schema: await schemaReadinessCheck(migrationsDirOf(import.meta.url), (sql, ...values) =>
        app.prisma.$queryRawUnsafe(sql, ...values),
      ),
    },
  });
  await app.register(authRoutes({ auth, verifyToken, limits: { ...config.rateLimit } }), { prefix: '/v1/auth' });
  await app.register(sessionsRoutes(auth), { prefix: '/v1/auth/sessions' });

  const account = createAccountService({
    users,
    outbox,
    tokens: accountTokens,
    accountMails,
    hasher,
    passwordPolicy,
    sessions: auth,
    addressThrottle: createAddressThrottle(app.redis, { max: config.account.addressMailMax, windowSec: config.account.addressMailWindowSec }),
    throttle,
    kickMail,
    clock,
    config: { forgotMinResponseMs: config.account.forgotMinResponseMs },
  });
  await app.register(accountRoutes({ account, limits: config.rateLimit }), { prefix: '/v1/auth' });

  const google = config.google.enabled
    ? createGoogleClient({ ...config.google, allowInsecure: config.env !== 'production' && config.google.issuer.startsWith('http://') })
    : undefined;
  const oauth = createOAuthService({
    users,
    outbox,
    identities: createIdentitiesRepository(app.prisma),
    store: createOAuthStore(app.redis),
    google,
    allowlist: createRedirectAllowlist(config.oauth.redirectAllowlist),
    accountMails,
    auth,
    kickMail,
    mapError: mapInfrastructureError,
    onUnexpectedError: (err) => app.log.error({ err }, 'google sign-in callback failed'),
    config: {
      requireEmailVerification: config.requireEmailVerification,
      defaultRedirect: config.oauth.defaultRedirect,
      stateTtlSec: config.oauth.stateTtlSec,
      codeTtlSec: config.oauth.codeTtlSec,
    },
  });
  await app.register(
    oauthRoutes({
      oauth,
      secureCookie: config.google.redirectUri.startsWith('https://'),
      stateTtlSec: config.oauth.stateTtlSec,
      limits: config.rateLimit,
    }),
    { prefix: '/v1/auth/oauth' },
  );
  await app.register(keysRoutes(keyRing), { prefix: '/.well-known' });
  await app.register(internalUsersRoutes({ users, serviceKeys: config.serviceKeys }), { prefix: '/internal/v1/users' });
  const meetingsTarget = createMeetingsTarget(config.sync, app.log, app.metrics);
  const relay = createOutboxRelay({
    prisma: app.prisma,
    outbox,
    target: overrides.syncTarget ?? meetingsTarget,
    listenUrl: config.database.directUrl ?? config.database.url,
    log: app.log,
    metrics: app.metrics,
    batchSize: config.sync.batchSize,
    concurrency: config.sync.concurrency,
    pollMs: config.sync.pollMs,
    maxBackoffMs: config.sync.maxBackoffMs,
    ...(overrides.onOutboxDelivered ? { onDelivered: overrides.onOutboxDelivered } : {}),
  });
  app.decorate('outboxRelay', relay);
  app.decorate('mailWorker', mailWorker);
  if (config.sync.relayEnabled) app.addHook('onReady', async () => relay.start());
  if (config.mail.workerEnabled) app.addHook('onReady', async () => mailWorker.start());
  // preClose runs before the database and Redis are closed, so the last batch can finish.
  app.addHook('preClose', async () => {
    await Promise.all([relay.stop(), mailWorker.stop()]);
    meetingsTarget.client.close();
    smtp.close();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: ReturnType<typeof createOutboxRelay>;
    mailWorker: MailWorker;
  }
}
