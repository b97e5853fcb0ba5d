import { migrationsDirOf, schemaReadinessCheck } from '@authmeet/db-migrate';
import type { HttpApp } from '@authmeet/http-kit';

/** What /health/ready checks: a replica that fails any of these gets no traffic. */
export async function readinessChecks(app: HttpApp) {
  return {
    postgres: async () => {
      await app.prisma.$queryRaw`SELECT 1`;
    },
    redis: async () => {
      await app.redis.ping();
    },
    schema: await schemaReadinessCheck(migrationsDirOf(import.meta.url), (sql, ...values) => app.prisma.$queryRawUnsafe(sql, ...values)),
    // Without keys every request would be a 503; without the subscription revocations
    // go unheard (requests then ask Redis, or 503): neither replica should get traffic.
    signingKeys: () => app.tokenVerifier.ensureKeys(),
    revocations: async () => {
      if (!app.revocationView.stats().subscribed) throw new Error('revocation subscription not live');
    },
  };
}
