import type { HttpApp } from '@authmeet/http-kit';
import type { ServiceContext } from '../../context.js';
import type { AuditRecorder } from '../audit/index.js';
import type { MailModule } from '../mail/index.js';
import type { MfaModule } from '../mfa/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { PasswordsModule } from '../passwords/index.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createAccountMails } from './account-mails.js';
import { createAccountTokensRepository } from './account-tokens.repository.js';
import { accountRoutes } from './account.routes.js';
import { createAccountService } from './account.service.js';
import { createAddressThrottle } from './address-throttle.js';
import { createProfileService } from './profile.service.js';
import type { ProfileServiceDeps } from './profile.service.js';
import { profileRoutes } from './profile.routes.js';

export interface AccountModuleDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  mail: MailModule;
  passwords: PasswordsModule;
  sessions: SessionsService;
  /** Password change and account deletion need a current code while MFA is on. */
  mfa: Pick<MfaModule, 'secondFactor'>;
  audit: AuditRecorder;
  /** Runs inside the account-closure transaction (the avatars module queues the pictures' deletion). */
  onAccountClosed?: ProfileServiceDeps['onAccountClosed'];
}

/**
 * The user's own account: `/me` (read, edit, close), email verification and the password flows
 * (forgot, reset, change), with the mails they send.
 */
export function accountModule({ app, config, clock }: ServiceContext, deps: AccountModuleDeps) {
  const { users, outbox, passwords, sessions } = deps;
  const tokens = createAccountTokensRepository(app.prisma);
  const mails = createAccountMails({ users, tokens, mails: deps.mail.repository, clock, config: config.account });
  const account = createAccountService({
    users,
    outbox,
    tokens,
    accountMails: mails,
    hasher: passwords.hasher,
    passwordPolicy: passwords.policy,
    sessions,
    audit: deps.audit,
    addressThrottle: createAddressThrottle(app.redis, { max: config.account.addressMailMax, windowSec: config.account.addressMailWindowSec }),
    throttle: passwords.throttle,
    requireCurrentCode: deps.mfa.secondFactor.requireCurrentCode,
    kickMail: deps.mail.kick,
    clock,
    config: { forgotMinResponseMs: config.account.forgotMinResponseMs },
  });
  const profile = createProfileService({
    users,
    outbox,
    hasher: passwords.hasher,
    throttle: passwords.throttle,
    sessions,
    requireCurrentCode: deps.mfa.secondFactor.requireCurrentCode,
    audit: deps.audit,
    ...(deps.onAccountClosed ? { onAccountClosed: deps.onAccountClosed } : {}),
  });

  async function routes(scope: HttpApp) {
    await scope.register(profileRoutes(profile));
    await scope.register(accountRoutes({ account, limits: config.rateLimit }));
  }

  return { mails, tokens, routes };
}

export type AccountModule = ReturnType<typeof accountModule>;
