import { eventually } from '@authmeet/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { call, signUp } from './support/client.js';
import { loop, sleep } from './support/load.js';
import type { Stack, StackOptions } from './support/stack.js';
import { startStack } from './support/stack.js';
import { compareSync, installSyncAudit } from './support/sync-audit.js';

// The user sync (outbox → relay → meetings) under crashes: every change the auth-service
// committed reaches the meetings-service exactly as the auth-service has it, no version is
// applied twice or after a newer one, compared across both databases.

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Profile changes through every auth replica while `faults` runs; returns how many were committed. */
async function changesUnder(s: Stack, users: { tokens: { accessToken: string } }[], faults: () => Promise<void>) {
  const changes = loop(users.length, async (w, n) => {
    const auth = s.auth[(w + n) % s.auth.length];
    const user = users[w];
    if (!auth?.running || !user) return undefined;
    return call(auth.url, 'PATCH', '/v1/auth/me', { token: user.tokens.accessToken, body: { firstName: `F${w}-${n}` } });
  });
  await faults();
  const answers = await changes.stop();
  // Every answer is a committed change, a 503 or a dropped connection of a killed process.
  const unexpected = answers.filter((a) => a.status !== 200 && a.status !== 503 && a.status !== 0);
  expect(unexpected.map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  return answers.filter((a) => a.status === 200).length;
}

async function expectConverged(s: Stack) {
  const report = await eventually(async () => {
    const r = await compareSync(s.authDb.url, s.meetingsDb.url);
    if (r.lost.length > 0) throw new Error(`not converged: ${r.lost.length} lost, e.g. ${r.lost.slice(0, 3).join('; ')}`);
    return r;
  }, 30_000, 250);
  expect({ lost: report.lost, extra: report.extra, duplicates: report.duplicates, outOfOrder: report.outOfOrder }).toEqual({ lost: [], extra: [], duplicates: [], outOfOrder: [] });
  return report;
}

async function syncScenario(opts: StackOptions, tag: string, crash: (s: Stack) => Promise<void>) {
  const s = await startStack(opts);
  stack = s;
  await installSyncAudit(s.meetingsDb.url);
  const users = await signUp(s.auth[0]?.url ?? '', tag, 8);
  const committed = await changesUnder(s, users, () => crash(s));
  expect(committed).toBeGreaterThan(50);
  const report = await expectConverged(s);
  expect(report.users).toBe(8);
  return report;
}

describe('user sync under crashes', () => {
  it('kill -9 of the meetings-service, then of the auth-service: 0 lost, 0 duplicated, 0 out of order', async () => {
    await syncScenario({ authEnv: { OUTBOX_MAX_BACKOFF_MS: '500', SYNC_BREAKER_RESET_MS: '500' } }, 'crash', async (s) => {
      const [auth, meetings] = [s.auth[0], s.meetings[0]];
      if (!auth || !meetings) throw new Error('stack incomplete');
      for (let round = 0; round < 1; round += 1) {
        await sleep(1_500);
        expect(await meetings.kill('SIGKILL')).toBe('SIGKILL');
        await sleep(1_000);
        await meetings.start();
        await sleep(1_500);
        expect(await auth.kill('SIGKILL')).toBe('SIGKILL');
        await auth.start();
      }
      await sleep(1_000);
    });
  });

  it('two replicas of each, one of each killed mid-load: changes stay in order per user', async () => {
    await syncScenario({ authReplicas: 2, meetingsReplicas: 2, authEnv: { OUTBOX_MAX_BACKOFF_MS: '500', SYNC_BREAKER_RESET_MS: '500' } }, 'replicas', async (s) => {
      await sleep(2_000);
      await s.auth[1]?.kill('SIGKILL');
      await s.meetings[0]?.kill('SIGKILL');
      await sleep(1_500);
      await s.auth[1]?.start();
      await s.meetings[0]?.start();
      await sleep(1_500);
    });
  });
});
