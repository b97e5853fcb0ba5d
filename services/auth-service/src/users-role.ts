import { ROLES, isRole } from '@authmeet/auth-tokens';
import type { Role } from '@authmeet/auth-tokens';
import { AppError, createRedisClient, defineCommand, isEntryPoint, UsageError } from '@authmeet/http-kit';
import { loadConfig } from './config.js';
import { createAdminRepository } from './modules/admin/admin.repository.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { createOutboxRepository } from './modules/outbox/outbox.repository.js';
import { createSessionsRepository } from './modules/sessions/sessions.repository.js';
import { createUsersRepository } from './modules/users/users.repository.js';
import { createPrismaClient } from './plugins/prisma.js';

/**
 * Grants or revokes a role by hand: how the first admin is made (no route makes an admin
 * without an admin). The change is the same as through the admin API (synced, audited with
 * actor `system`, old tokens refused at once), and refuses to remove the last admin. In the image:
 *   node dist/src/users-role.js --email ada@example.com --grant admin
 */
export const command = {
  name: 'users:role',
  usage: [
    'Usage: users:role --email EMAIL --grant ROLE [--grant ROLE]   give roles',
    '       users:role --email EMAIL --revoke ROLE                 take roles away',
    `Roles: ${ROLES.join(', ')}. Prints the user's roles afterwards.`,
    '',
    '  pnpm --filter @authmeet/auth-service users:role [flags]   (development)',
    '  node dist/src/users-role.js [flags]   (in the image)',
    'Reads DATABASE_URL, REDIS_URL and the rest of the auth-service configuration from the environment.',
  ].join('\n'),
  options: {
    email: { type: 'string' },
    grant: { type: 'string', multiple: true },
    revoke: { type: 'string', multiple: true },
  },
} as const;

function roles(flag: string, values: string[] | undefined): Role[] {
  return (values ?? []).map((v) => {
    if (!isRole(v)) throw new UsageError(`${flag} must be one of ${ROLES.join(', ')}, got "${v}"`);
    return v;
  });
}

export const main = defineCommand(command, async (values, { out }) => {
  // Every flag is checked before the configuration is read or a connection opened.
  if (values.email === undefined || !values.email.includes('@')) throw new UsageError('--email with the user\'s email address is required');
  const grant = roles('--grant', values.grant);
  const revoke = roles('--revoke', values.revoke);
  if (grant.length + revoke.length === 0) throw new UsageError('give at least one --grant or --revoke');
  const config = loadConfig();
  const prisma = createPrismaClient(config.database);
  const redis = createRedisClient(config.redis);
  try {
    await redis.connect();
    const users = createUsersRepository(prisma);
    const user = await users.findByIdentifier(values.email);
    if (!user || user.deletedAt !== null) throw new Error(`no user with the email ${values.email}`);
    const quiet = { inc: () => undefined };
    const admin = createAdminService({
      admin: createAdminRepository(prisma),
      users,
      outbox: createOutboxRepository(prisma),
      sessions: createSessionsRepository(redis, { keyPrefix: config.redis.keyPrefix, revocationTtlSec: config.jwt.accessTokenTtlSec + 60 }),
      audit: createAuditService({ repository: createAuditRepository(prisma), clock: Date.now, log: { error: () => undefined }, failures: quiet, actions: quiet }),
      clock: Date.now,
    });
    const wanted = [...user.roles, ...grant].filter((r) => !revoke.includes(r));
    const updated = await admin.setRoles({ id: null, type: 'system' }, user.id, wanted).catch((error: unknown) => {
      throw error instanceof AppError ? new Error(`${error.code}: ${error.message}`) : error;
    });
    out(`${updated.email}: roles ${updated.roles.length === 0 ? '(none)' : updated.roles.join(', ')}`);
  } finally {
    redis.disconnect();
    await prisma.$disconnect();
  }
});

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
