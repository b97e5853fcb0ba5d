import type { ServiceContext } from '../../context.js';
import { createMfaTokenStore } from '../auth/authentication.js';
import type { AuditRecorder } from '../audit/audit.service.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { PasswordsModule } from '../passwords/index.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createMfaRepository } from './mfa.repository.js';
import { mfaRoutes } from './mfa.routes.js';
import { createMfaService } from './mfa.service.js';
import { createMfaReset } from './reset.js';
import { createSecondFactor } from './second-factor.js';
import { DEV_MFA_KEY, createSecretBox } from './secret-box.js';

export interface MfaModuleDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  passwords: Pick<PasswordsModule, 'throttle' | 'assertPassword'>;
  sessions: Pick<SessionsService, 'start'>;
  browser: BrowserSessions;
  audit: AuditRecorder;
}

/**
 * TOTP (secrets sealed with AES-256-GCM), recovery codes and the second login step. Other
 * modules take from it: `signIn` (a first factor passed: a session or the second step, for
 * password and Google logins) and `secondFactor.requireCurrentCode` (sensitive actions).
 */
export function mfaModule({ app, config, clock }: ServiceContext, deps: MfaModuleDeps) {
  let keys = config.mfa.encryptionKeys;
  if (keys.length === 0) {
    // Production refuses to start without a key while MFA is on (config.ts).
    app.log.warn('MFA_ENCRYPTION_KEY is not set: TOTP secrets are sealed with the public development key');
    keys = [DEV_MFA_KEY];
  }
  const repo = createMfaRepository(app.prisma);
  const box = createSecretBox(keys);
  const secondFactor = createSecondFactor({ repo, box, throttle: deps.passwords.throttle, clock });
  const service = createMfaService({
    users: deps.users,
    outbox: deps.outbox,
    repo,
    box,
    secondFactor,
    tokens: createMfaTokenStore(app.redis, { ttlSec: config.mfa.tokenTtlSec, maxAttempts: config.mfa.tokenMaxAttempts }),
    sessions: deps.sessions,
    audit: deps.audit,
    assertPassword: deps.passwords.assertPassword,
    clock,
    config: { enabled: config.mfa.enabled, issuer: config.mfa.issuer },
  });
  return {
    signIn: service.signIn,
    secondFactor,
    /** For an administrator's reset of a user's second factors (api.md `DELETE /v1/admin/users/{id}/mfa`). */
    resetForUser: createMfaReset({ users: deps.users, outbox: deps.outbox, repo }),
    /** Whether the user has a confirmed TOTP secret (an admin's view of the account). */
    hasTotp: async (userId: string) => (await repo.findTotp(userId))?.confirmedAt != null,
    routes: mfaRoutes({ mfa: service, browser: deps.browser, limits: config.rateLimit }),
  };
}

export type MfaModule = ReturnType<typeof mfaModule>;
