import { migrationsDirOf } from '@authmeet/db-migrate';
import type { HttpApp, LoggerOptions } from '@authmeet/http-kit';
import { createHttpApp } from '@authmeet/http-kit';
import type { Config } from './config.js';
import type { ServiceContext } from './context.js';
import { accountModule } from './modules/account/index.js';
import { adminModule } from './modules/admin/index.js';
import { auditModule } from './modules/audit/index.js';
import { authModule } from './modules/auth/index.js';
import type { AvatarStorage } from './modules/avatars/avatar-storage.js';
import { avatarsModule } from './modules/avatars/index.js';
import type { KeyRing } from './modules/keys/key-ring.js';
import { keysModule } from './modules/keys/index.js';
import { mailModule } from './modules/mail/index.js';
import { mfaModule } from './modules/mfa/index.js';
import { oauthModule } from './modules/oauth/index.js';
import { outboxModule } from './modules/outbox/index.js';
import { passkeysModule } from './modules/passkeys/index.js';
import type { PasswordHasher } from './modules/passwords/password-hasher.js';
import { passwordsModule } from './modules/passwords/index.js';
import { sessionsModule } from './modules/sessions/index.js';
import { usersModule } from './modules/users/index.js';
import { httpAppOptions, registerInfrastructure } from './plugins/infrastructure.js';
import type { WorkersDeps } from './workers/index.js';
import { registerWorkers } from './workers/index.js';

export interface AppOverrides extends Pick<WorkersDeps, 'syncTarget' | 'onOutboxDelivered' | 'mailer'> {
  logger?: LoggerOptions | false;
  clock?: () => number;
  keyRing?: KeyRing;
  hasher?: PasswordHasher;
  /** Replaces the S3 client of the profile pictures (tests). */
  avatarStorage?: AvatarStorage;
}

/** Builds the auth-service without listening and without reading the environment. */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<HttpApp> {
  const app = await createHttpApp(httpAppOptions(config, overrides.logger));
  await registerInfrastructure(app, config, migrationsDirOf(import.meta.url));
  const ctx: ServiceContext = { app, config, clock: overrides.clock ?? Date.now };

  // Modules, each built from what it declares it needs (src/modules/<domain>/index.ts).
  const audit = auditModule(ctx);
  const users = usersModule(ctx);
  const outbox = outboxModule(ctx);
  const mail = mailModule(ctx);
  const keys = await keysModule(ctx, { keyRing: overrides.keyRing });
  const passwords = await passwordsModule(ctx, { hasher: overrides.hasher });
  const sessions = await sessionsModule(ctx, { users: users.repository, keyRing: keys.keyRing, audit: audit.recorder });
  const shared = { users: users.repository, outbox: outbox.repository, mail, audit: audit.recorder };
  const avatars = avatarsModule(ctx, { storage: overrides.avatarStorage });
  const mfa = mfaModule(ctx, { ...shared, passwords, sessions: sessions.service, browser: sessions.browser });
  const account = accountModule(ctx, { ...shared, passwords, sessions: sessions.service, mfa, onAccountClosed: avatars.service.onAccountClosed });
  const auth = authModule(ctx, { ...shared, passwords, sessions, accountMails: account.mails, mfa });
  const oauth = oauthModule(ctx, { ...shared, sessions: sessions.service, browser: sessions.browser, accountMails: account.mails, mfa });
  const passkeys = passkeysModule(ctx, { users: users.repository, sessions: sessions.service, browser: sessions.browser, mfa, audit: audit.recorder });
  const admin = adminModule(ctx, { ...shared, sessions: sessions.repository, mfa, passkeys });

  // The route map.
  await app.register(auth.routes, { prefix: '/v1/auth' });
  await app.register(sessions.routes, { prefix: '/v1/auth/sessions' });
  await app.register(account.routes, { prefix: '/v1/auth' });
  await app.register(avatars.routes, { prefix: '/v1/auth' });
  await app.register(oauth.routes, { prefix: '/v1/auth/oauth' });
  await app.register(mfa.routes, { prefix: '/v1/auth/mfa' });
  await app.register(passkeys.routes, { prefix: '/v1/auth/passkeys' });
  await app.register(audit.activityRoutes, { prefix: '/v1/auth/me/activity' });
  await app.register(admin.routes, { prefix: '/v1/admin/users' });
  await app.register(audit.adminRoutes, { prefix: '/v1/admin/audit' });
  await app.register(keys.routes, { prefix: '/.well-known' });
  await app.register(users.routes, { prefix: '/internal/v1/users' });

  // Background workers (src/workers): the user-sync outbox relay, the mail worker, picture
  // deletions, audit retention.
  registerWorkers(ctx, { outbox, mail, account, avatars, audit, ...overrides });
  return app;
}
