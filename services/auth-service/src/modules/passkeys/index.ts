import type { ServiceContext } from '../../context.js';
import type { AuditRecorder } from '../audit/audit.service.js';
import type { MfaModule } from '../mfa/index.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createPasskeyChallenges } from './passkey-challenges.js';
import { createPasskeysRepository } from './passkeys.repository.js';
import { passkeysRoutes } from './passkeys.routes.js';
import { createPasskeysService, toPasskeyView } from './passkeys.service.js';

export interface PasskeysModuleDeps {
  users: UsersRepository;
  sessions: Pick<SessionsService, 'start'>;
  browser: BrowserSessions;
  /** Adding or removing a passkey needs a current code while MFA is on. */
  mfa: Pick<MfaModule, 'secondFactor'>;
  audit: AuditRecorder;
}

/** Passkeys (WebAuthn): registration, management, and login as a complete strong login. */
export function passkeysModule({ app, config, clock }: ServiceContext, deps: PasskeysModuleDeps) {
  const repo = createPasskeysRepository(app.prisma);
  const service = createPasskeysService({
    repo,
    users: deps.users,
    challenges: createPasskeyChallenges(app.redis, config.webauthn.challengeTtlSec),
    sessions: deps.sessions,
    audit: deps.audit,
    requireCurrentCode: deps.mfa.secondFactor.requireCurrentCode,
    clock,
    config: { ...config.webauthn, requireEmailVerification: config.requireEmailVerification },
  });
  return {
    routes: passkeysRoutes({ passkeys: service, browser: deps.browser, limits: config.rateLimit }),
    /** A user's passkeys, oldest first (an admin's view of the account). */
    listForUser: async (userId: string) => (await repo.listByUser(userId)).map(toPasskeyView),
  };
}

export type PasskeysModule = ReturnType<typeof passkeysModule>;
