import { afterAll, expect, it } from 'vitest';
import { call, signUp } from './support/client.js';
import { loop, sleep } from './support/load.js';
import type { PgBouncer } from './support/pgbouncer.js';
import { startPgBouncer } from './support/pgbouncer.js';
import type { Stack } from './support/stack.js';
import { startStack } from './support/stack.js';
import { compareSync, installSyncAudit } from './support/sync-audit.js';
import { eventually } from '@authmeet/test-kit';

// Both services behind PgBouncer in transaction mode (their pools, Prisma's queries and
// interactive transactions), with the outbox relay's LISTEN on DATABASE_DIRECT_URL: the user
// sync under a meetings-service crash still loses, duplicates and reorders nothing.

let stack: Stack | undefined;
let bouncer: PgBouncer | undefined;
afterAll(async () => {
  await stack?.close();
  await bouncer?.stop();
});

it('user sync through PgBouncer (transaction mode), a meetings-service killed mid-load: 0 lost, 0 duplicated, 0 out of order', async () => {
  const s = await startStack({
    // Polling all but off: the changes must arrive through the NOTIFY wake-up, which only a
    // direct connection (DATABASE_DIRECT_URL) receives; through the pooler they would wait 30 s.
    authEnv: { OUTBOX_POLL_MS: '30000' },
    viaPooler: async (pgPort) => {
      bouncer = await startPgBouncer(pgPort);
      return bouncer;
    },
  });
  stack = s;
  await installSyncAudit(s.meetingsDb.url);
  const auth = s.auth[0];
  const meetings = s.meetings[0];
  if (!auth || !meetings) throw new Error('stack incomplete');
  const users = await signUp(auth.url, 'bouncer', 8);
  const changes = loop(users.length, async (w, n) =>
    auth.running ? call(auth.url, 'PATCH', '/v1/auth/me', { token: users[w]?.tokens.accessToken ?? '', body: { firstName: `B${w}-${n}` } }) : undefined,
  );
  await sleep(2_000);
  expect(await meetings.kill('SIGKILL')).toBe('SIGKILL');
  await sleep(1_000);
  await meetings.start();
  await sleep(2_000);
  const answers = await changes.stop();
  expect(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  // Reads through the pooler work on both services too.
  expect((await call(meetings.url, 'GET', '/v1/meetings', { token: users[0]?.tokens.accessToken ?? '' })).status).toBe(200);
  const report = await eventually(async () => {
    const r = await compareSync(s.authDb.url, s.meetingsDb.url);
    if (r.lost.length > 0) throw new Error(`${r.lost.length} not converged`);
    return r;
  }, 20_000, 250);
  expect({ lost: report.lost, extra: report.extra, duplicates: report.duplicates, outOfOrder: report.outOfOrder }).toEqual({ lost: [], extra: [], duplicates: [], outOfOrder: [] });
});
