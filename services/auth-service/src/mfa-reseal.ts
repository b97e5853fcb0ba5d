import { defineCommand, isEntryPoint } from '@authmeet/http-kit';
import { loadConfig } from './config.js';
import { createMfaRepository } from './modules/mfa/mfa.repository.js';
import { resealStaleSecrets } from './modules/mfa/reseal.js';
import { createSecretBox } from './modules/mfa/secret-box.js';
import { createPrismaClient } from './plugins/prisma.js';

/**
 * After a new MFA_ENCRYPTION_KEY entry was put first: re-seals every TOTP secret still sealed
 * with an older key under the new one, so the old key can then be removed. Idempotent; safe
 * while the service runs (each row is replaced only if it did not change meanwhile). In the image:
 *   node dist/src/mfa-reseal.js
 */
export const command = {
  name: 'mfa:reseal',
  usage: [
    'Usage: mfa:reseal   re-seal TOTP secrets under the first (active) MFA_ENCRYPTION_KEY entry',
    '',
    '  pnpm --filter @authmeet/auth-service mfa:reseal   (development)',
    '  node dist/src/mfa-reseal.js   (in the image)',
    'Reads DATABASE_URL and MFA_ENCRYPTION_KEY (every key still in use) from the environment.',
  ].join('\n'),
  options: {},
} as const;

export const main = defineCommand(command, async (_values, { out }) => {
  const config = loadConfig();
  if (config.mfa.encryptionKeys.length === 0) throw new Error('MFA_ENCRYPTION_KEY is not set');
  const prisma = createPrismaClient(config.database);
  try {
    const box = createSecretBox(config.mfa.encryptionKeys);
    const count = await resealStaleSecrets(createMfaRepository(prisma), box);
    out(`re-sealed ${count} secret(s) under key "${box.activeKeyId}"`);
  } finally {
    await prisma.$disconnect();
  }
});

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
