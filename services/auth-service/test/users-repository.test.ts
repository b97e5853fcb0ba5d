import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createUsersRepository } from '../src/modules/users/users.repository.js';
import { createPrismaClient } from '../src/plugins/prisma.js';
import { userWithEveryColumnSet } from './factories.js';
import { migrationsDir } from './migrations-dir.js';

// findById, the read of every authenticated request, goes through the driver: its rows must be
// Prisma's, column for column.
let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase('auth_test', migrationsDir);
  prisma = createPrismaClient({ url: db.url, poolSize: 2 });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await prisma.$disconnect();
  await db.drop();
});

describe('users repository: findById through the driver', () => {
  it('reads exactly what Prisma reads, every column away from its default', async () => {
    const tag = randomUUID().slice(0, 8);
    const created = await userWithEveryColumnSet(prisma, tag);
    const direct = await createUsersRepository(prisma, pool).findById(created.id);
    expect(direct).toStrictEqual(await prisma.user.findUnique({ where: { id: created.id } }));
    expect(direct).toStrictEqual(created);
  });

  it('reads a user with every optional column empty as Prisma does; an unknown id is null', async () => {
    const tag = randomUUID().slice(0, 8);
    const user = await prisma.user.create({ data: { email: `${tag}@example.com`, username: `u_${tag}` } });
    const users = createUsersRepository(prisma, pool);
    expect(await users.findById(user.id)).toStrictEqual(await prisma.user.findUnique({ where: { id: user.id } }));
    expect(await users.findById(randomUUID())).toBeNull();
  });

  it('inside a transaction reads through the transaction, not the pool', async () => {
    const users = createUsersRepository(prisma, pool);
    const tag = randomUUID().slice(0, 8);
    const seen = await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: `${tag}@example.com`, username: `u_${tag}` } });
      // Not committed yet: only the transaction's own connection sees the row.
      return { inTx: await users.findById(user.id, tx), outside: await users.findById(user.id) };
    });
    expect(seen.inTx?.email).toBe(`${tag}@example.com`);
    expect(seen.outside).toBeNull();
  });
});
