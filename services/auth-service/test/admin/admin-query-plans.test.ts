import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { adminQueries } from '../../src/modules/admin/admin.repository.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
  // Enough rows that the planner's own choice means something (no planner settings changed).
  await ctx.app.prisma.$executeRaw`
    INSERT INTO users (id, email, username, updated_at)
    SELECT gen_random_uuid(), 'person' || g || '@example.com', 'Person_' || g, now() FROM generate_series(1, 20000) g`;
  await ctx.app.prisma.$executeRaw`ANALYZE users`;
});
afterAll(async () => ctx.close());

async function plan(query: Prisma.Sql): Promise<string> {
  const rows = await ctx.app.prisma.$queryRaw<Record<string, string>[]>(Prisma.sql`EXPLAIN ${query}`);
  return rows.map((r) => Object.values(r).join('')).join('\n');
}

describe('admin user search', () => {
  it('a prefix is a range scan of the email and username indexes, never a scan of every user', async () => {
    const text = await plan(adminQueries.search({ prefix: 'person1234', limit: 21 }));
    expect(text).toMatch(/Index Scan using users_email_idx|Bitmap Index Scan on users_email_idx/);
    expect(text).toMatch(/Index Scan using users_username_idx|Bitmap Index Scan on users_username_idx/);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('the range is exactly the prefix, in any case', async () => {
    const rows = await ctx.app.prisma.$queryRaw<{ id: string }[]>(adminQueries.search({ prefix: 'person_1999', limit: 100 }));
    // person_1999 and person_19990..19999 (usernames "Person_…", matched case-insensitively).
    expect(rows).toHaveLength(11);
  });
});
