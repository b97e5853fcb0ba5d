import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createMfaRepository } from '../src/modules/mfa/mfa.repository.js';
import { createUsersRepository } from '../src/modules/users/users.repository.js';
import { createPrismaClient } from '../src/plugins/prisma.js';
import { userWithEveryColumnSet } from './factories.js';
import { migrationsDir } from './migrations-dir.js';

// The second login step's read (raw SQL, one statement) against the real Postgres.
let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase('auth_test', migrationsDir);
  prisma = createPrismaClient({ url: db.url, poolSize: 2 });
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

describe('mfa repository: findLoginAccount', () => {
  it('is the user exactly as users.findById reads it (every column), with the TOTP row', async () => {
    const repo = createMfaRepository(prisma);
    const users = createUsersRepository(prisma);
    const tag = randomUUID().slice(0, 8);
    const created = await userWithEveryColumnSet(prisma, tag);
    await repo.savePending(created.id, 'v1.k.sealed');
    await prisma.userTotp.update({ where: { userId: created.id }, data: { lastStep: 59_000_000 } });

    const account = await repo.findLoginAccount(created.id);
    expect(account?.user).toStrictEqual(await users.findById(created.id));
    expect(account?.totp).toStrictEqual({ secret: 'v1.k.sealed', lastStep: 59_000_000 });
  });

  it('a user without a TOTP row has none; an unknown id is null', async () => {
    const repo = createMfaRepository(prisma);
    const tag = randomUUID().slice(0, 8);
    const user = await prisma.user.create({ data: { email: `${tag}@example.com`, username: `u_${tag}` } });
    const account = await repo.findLoginAccount(user.id);
    expect(account?.totp).toBeNull();
    expect(account?.user).toStrictEqual(await createUsersRepository(prisma).findById(user.id));
    expect(await repo.findLoginAccount(randomUUID())).toBeNull();
  });

  it('a pending TOTP secret (never used) reads with no last step', async () => {
    const repo = createMfaRepository(prisma);
    const tag = randomUUID().slice(0, 8);
    const user = await prisma.user.create({ data: { email: `${tag}@example.com`, username: `u_${tag}` } });
    await repo.savePending(user.id, 'v1.k.pending');
    expect((await repo.findLoginAccount(user.id))?.totp).toStrictEqual({ secret: 'v1.k.pending', lastStep: null });
  });
});
