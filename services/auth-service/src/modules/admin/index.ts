import type { ServiceContext } from '../../context.js';
import type { AuditRecorder } from '../audit/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createAdminRepository } from './admin.repository.js';
import { adminUsersRoutes } from './admin.routes.js';
import { createAdminService } from './admin.service.js';

export interface AdminModuleDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  sessions: SessionsRepository;
  audit: AuditRecorder;
}

/** `/v1/admin/users`: search, detail, disable/enable, roles, session revocation. */
export function adminModule({ app, clock }: ServiceContext, deps: AdminModuleDeps) {
  const service = createAdminService({ ...deps, admin: createAdminRepository(app.prisma), clock });
  return { service, routes: adminUsersRoutes(service) };
}
