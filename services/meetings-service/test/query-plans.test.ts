import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../src/generated/prisma/client.js';
import { meetingQueries } from '../src/modules/meetings/meeting-queries.js';
import type { ListMineQuery } from '../src/modules/meetings/meeting-queries.js';
import { createMeeting, join, newUser } from './factories.js';
import type { TestUser } from './factories.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

let ctx: MeetingsContext;
let host: TestUser;
let code: string;

beforeAll(async () => {
  ctx = await startMeetingsService();
  host = await newUser(ctx.app, ctx.issuer);
  const guest = await newUser(ctx.app, ctx.issuer);
  for (let i = 0; i < 5; i += 1) code = (await createMeeting(ctx.app, host, { title: `m${i}` })).code;
  await join(ctx.app, guest, code);
});
afterAll(async () => ctx.close());

/**
 * EXPLAIN of exactly the SQL the repository runs. The tables are tiny, so sequential scans are
 * switched off for the session: the question is whether an index *can* serve the query.
 */
async function plan(query: Prisma.Sql): Promise<string> {
  return ctx.app.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
    // A bitmap scan reads the same index but unordered; on a big table the ordered scan wins.
    await tx.$executeRaw`SET LOCAL enable_bitmapscan = off`;
    const rows = await tx.$queryRaw<Record<string, string>[]>(Prisma.sql`EXPLAIN ${query}`);
    return rows.map((r) => Object.values(r).join('')).join('\n');
  });
}

const mine = (over: Partial<ListMineQuery>): ListMineQuery => ({ userId: host.id, role: 'any', status: undefined, after: undefined, limit: 21, ...over });

describe('query plans', () => {
  it('find by code (the join lock) is a lookup in meetings_code_key', async () => {
    const text = await plan(meetingQueries.lockByCode(code));
    expect(text).toMatch(/Index Scan using meetings_code_key on meetings/);
  });

  it('"meetings I host, newest first" walks meetings_host_id_created_at_id_idx in order, with no sort', async () => {
    for (const q of [mine({ role: 'host' }), mine({ role: 'host', status: 'active', after: { t: new Date(), id: host.id } })]) {
      const text = await plan(meetingQueries.listMine(q));
      expect(text).toMatch(/Index Scan using meetings_host_id_created_at_id_idx on meetings/);
      expect(text).not.toMatch(/Sort/);
      if (q.after) expect(text).toMatch(/Index Cond: \(\(host_id = .*\) AND \(created_at <= /);
    }
  });

  it('"meetings I am in, newest first" walks meeting_participants_user_id_joined_at_idx', async () => {
    for (const q of [mine({ role: 'any' }), mine({ role: 'participant', status: 'ended', after: { t: new Date(), id: host.id } })]) {
      const text = await plan(meetingQueries.listMine(q));
      expect(text).toMatch(/Index Scan using meeting_participants_user_id_joined_at_idx on meeting_participants/);
      // The page's cursor bound is part of the index condition, not a filter over every row.
      if (q.after) expect(text).toMatch(/Index Cond: \(\(user_id = .*\) AND \(joined_at <= /);
    }
  });

  it('the queries return what the API pages on', async () => {
    const rows = await ctx.app.prisma.$queryRaw<{ id: string; sortAt: Date }[]>(meetingQueries.listMine(mine({ role: 'host', limit: 3 })));
    expect(rows).toHaveLength(3);
    expect(rows[0]?.sortAt.getTime()).toBeGreaterThanOrEqual(rows[1]?.sortAt.getTime() ?? Infinity);
  });
});
