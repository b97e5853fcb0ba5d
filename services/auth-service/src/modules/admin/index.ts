import type { ServiceContext } from '../../context.js';
import type { AuditRecorder } from '../audit/index.js';
import type { MfaModule } from '../mfa/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { PasskeysModule } from '../passkeys/index.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createAdminMfa } from './admin-mfa.js';
import type { AdminRepository } from './admin.repository.js';
import { createAdminRepository } from './admin.repository.js';
import { adminUsersRoutes } from './admin.routes.js';
import { createAdminService } from './admin.service.js';

export interface AdminModuleDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  sessions: SessionsRepository;
  audit: AuditRecorder;
  mfa: Pick<MfaModule, 'resetForUser' | 'hasTotp'>;
  passkeys: Pick<PasskeysModule, 'listForUser'>;
}

/** The core admin service with the second-factor view and reset (which need the MFA modules). */
function createAdminUsersService(deps: AdminModuleDeps & { admin: AdminRepository; clock: () => number }) {
  const core = createAdminService(deps);
  const mfa = createAdminMfa(deps);
  return {
    ...core,
    detail: async (userId: string) => ({ ...(await core.detail(userId)), mfa: await mfa.factors(userId) }),
    resetMfa: mfa.reset,
  };
}

export type AdminUsersService = ReturnType<typeof createAdminUsersService>;

/** `/v1/admin/users`: search, detail, disable/enable, roles, session revocation, MFA reset. */
export function adminModule({ app, clock }: ServiceContext, deps: AdminModuleDeps) {
  const service = createAdminUsersService({ ...deps, admin: createAdminRepository(app.prisma), clock });
  return { service, routes: adminUsersRoutes(service) };
}
