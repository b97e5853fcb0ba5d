import { eventually } from '@authmeet/test-kit';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { call, signUp } from './support/client.js';
import { sleep } from './support/load.js';
import type { Stack } from './support/stack.js';
import { startStack } from './support/stack.js';
import { compareSync, installSyncAudit } from './support/sync-audit.js';

// A long meetings-service outage, compressed in time: the relay's backoff cap and breaker
// reset are 250 ms instead of 30 s and 5 s, so a 15 s outage is 60 cap lengths, the ratio of a
// 30-minute outage at the default cap. Thousands of changes pile up meanwhile: a hundred made
// through the API, and 2,000 more written straight into the auth database in the exact shape
// the service writes (a user row bumped and one outbox row per version, in one transaction),
// because 2,000 API calls take minutes on a loaded two-core machine. The relay must not storm
// the dead peer, must notice its return within about one cap, drain everything, and
// dead-letter nothing.

const CAP_MS = 250;
const OUTAGE_MS = 15_000;
let stack: Stack | undefined;
afterAll(async () => stack?.close());

async function outboxCounts(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; n: number }>('SELECT status::text, count(*)::int AS n FROM user_outbox GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number | undefined>;
  } finally {
    await client.end();
  }
}

/** `perUser` more versions of every user, each with its outbox row, as the service writes them. */
async function bulkChanges(url: string, perUser: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO user_outbox (user_id, version, kind, payload)
       SELECT u.id, u.version + g, 'upsert',
              jsonb_build_object('email', u.email, 'username', u.username, 'firstName', u.first_name,
                                 'lastName', 'bulk-' || g, 'isActive', u.is_active, 'emailVerified', u.email_verified, 'version', u.version + g)
       FROM users u CROSS JOIN generate_series(1, $1::int) AS g`,
      [perUser],
    );
    await client.query(`UPDATE users SET version = version + $1::int, last_name = 'bulk-' || $1::int, updated_at = now()`, [perUser]);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

it('a compressed long outage: no retry storm, backoff capped, a backlog of thousands drained, nothing dead-lettered', async () => {
  const s = await startStack({
    authEnv: { OUTBOX_MAX_BACKOFF_MS: String(CAP_MS), SYNC_BREAKER_RESET_MS: String(CAP_MS), SYNC_HTTP_TIMEOUT_MS: '500', OUTBOX_POLL_MS: '100', OUTBOX_BATCH_SIZE: '100' },
  });
  stack = s;
  await installSyncAudit(s.meetingsDb.url);
  const auth = s.auth[0];
  if (!auth) throw new Error('no auth-service');
  const users = await signUp(auth.url, 'outage', 5);
  await eventually(async () => expect((await compareSync(s.authDb.url, s.meetingsDb.url)).lost).toEqual([]), 20_000, 200);

  s.meetingsProxy.cut();
  const outageStarted = Date.now();
  const attemptsBefore = s.meetingsProxy.attempts;
  let committed = 0;
  await Promise.all(
    users.map(async (u, w) => {
      for (let n = 0; n < 100 / users.length; n += 1) {
        const res = await call(auth.url, 'PATCH', '/v1/auth/me', { token: u.tokens.accessToken, body: { lastName: `O${w}-${n}` } });
        if (res.status === 200) committed += 1;
      }
    }),
  );
  expect(committed).toBe(100);
  await bulkChanges(s.authDb.url, 2_000 / users.length);
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
  const outageSec = (Date.now() - outageStarted) / 1000;
  const attempts = s.meetingsProxy.attempts - attemptsBefore;
  const pending = (await outboxCounts(s.authDb.url)).pending ?? 0;
  expect(pending).toBeGreaterThanOrEqual(2_100);
  expect(await auth.metric('outbox_backlog', 'state="pending"')).toBeGreaterThanOrEqual(2_100);
  // No storm: with the breaker open the relay waits; at most a few connection attempts per cap.
  expect(attempts / outageSec).toBeLessThan(40);

  s.meetingsProxy.restore();
  const restored = Date.now();
  await eventually(async () => expect((await outboxCounts(s.authDb.url)).pending ?? 0).toBe(0), 30_000, 100);
  const drainedMs = Date.now() - restored;
  const counts = await outboxCounts(s.authDb.url);
  expect(counts.dead ?? 0).toBe(0);
  const report = await compareSync(s.authDb.url, s.meetingsDb.url);
  expect({ lost: report.lost, duplicates: report.duplicates, outOfOrder: report.outOfOrder }).toEqual({ lost: [], duplicates: [], outOfOrder: [] });
  // The relay noticed the return within about one cap, not after an ever-growing backoff.
  expect(drainedMs).toBeLessThan(20 * CAP_MS + 10_000);
  console.log(`long outage: ${outageSec.toFixed(1)} s, ${attempts} connection attempts, ${pending} rows pending, drained in ${drainedMs} ms`);
});
