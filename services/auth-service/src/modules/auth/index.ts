import type { ServiceContext } from '../../context.js';
import type { AccountMails } from '../account/account-mails.js';
import type { AuditRecorder } from '../audit/index.js';
import type { MailModule } from '../mail/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { MfaModule } from '../mfa/index.js';
import type { PasswordsModule } from '../passwords/index.js';
import type { SessionsModule } from '../sessions/index.js';
import type { UsersRepository } from '../users/users.repository.js';
import { authRoutes } from './auth.routes.js';
import { createAuthService } from './auth.service.js';

export interface AuthModuleDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  passwords: PasswordsModule;
  sessions: SessionsModule;
  mfa: Pick<MfaModule, 'signIn'>;
  /** Registration queues the verification mail. */
  accountMails: Pick<AccountMails, 'enqueueVerification'>;
  mail: Pick<MailModule, 'kick'>;
  audit: AuditRecorder;
}

/** Credentials: register, login, refresh, logout, verify-token. */
export function authModule({ config }: ServiceContext, deps: AuthModuleDeps) {
  const auth = createAuthService({
    users: deps.users,
    outbox: deps.outbox,
    sessions: deps.sessions.service,
    hasher: deps.passwords.hasher,
    passwordPolicy: deps.passwords.policy,
    throttle: deps.passwords.throttle,
    signIn: deps.mfa.signIn,
    audit: deps.audit,
    verificationMail: { enqueue: deps.accountMails.enqueueVerification, kick: deps.mail.kick },
    config: { requireEmailVerification: config.requireEmailVerification },
  });
  return { routes: authRoutes({ auth, browser: deps.sessions.browser, verifyToken: deps.sessions.verifyToken, limits: { ...config.rateLimit } }) };
}
