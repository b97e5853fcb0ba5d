import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { diffCpu, threadCpu } from '../harness/cpu.js';
import { copyRows, seedAuthUsers, seedMeetingsUsers, seededUser, seededUserId, sql } from '../harness/seed.js';
import { percentile, round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';

/** Seeded user numbers of this scenario (apart from every other scenario's). */
const STEADY_BASE = 10_000_000;
const DRAIN_BASE = 11_000_000;

/**
 * One user change as the auth-service writes it (users.repository + outbox.enqueue): the user
 * row bumped, its snapshot queued in the same transaction, a NOTIFY for the relay on commit.
 */
const CHANGE = `
  WITH u AS (
    UPDATE users SET first_name = $2, version = version + 1, updated_at = now() WHERE id = $1
    RETURNING id, email, username, first_name, last_name, is_active, email_verified, mfa_enabled, roles, avatar_url, version)
  INSERT INTO user_outbox (user_id, version, kind, payload)
  SELECT id, version, 'upsert', jsonb_build_object(
    'email', email, 'username', username, 'firstName', first_name, 'lastName', last_name, 'isActive', is_active,
    'emailVerified', email_verified, 'mfaEnabled', mfa_enabled, 'roles', to_jsonb(roles), 'avatarUrl', avatar_url, 'version', version)
  FROM u`;

async function change(pool: pg.Pool, userId: string, firstName: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(CHANGE, [userId, firstName]);
    await client.query(`SELECT pg_notify('user_outbox', '')`);
    await client.query('COMMIT');
    return Date.now();
  } finally {
    client.release();
  }
}

/** Waits until `count` users from `base` carry at least `version` at the meetings-service. */
async function waitApplied(url: string, base: number, count: number, version: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let applied = 0;
  while (Date.now() < deadline) {
    const [row] = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM users WHERE id BETWEEN $1 AND $2 AND version >= $3', [seededUserId(base), seededUserId(base + count - 1), version]);
    applied = Number(row?.n ?? 0);
    if (applied >= count) return applied;
    await delay(200);
  }
  return applied;
}

const stats = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100), n: values.length });

/** Steady changes at a fixed rate (open loop: each is started on its schedule, late or not). */
async function steady(ctx: BenchContext) {
  const { stack, config } = ctx;
  const total = config.syncRate * config.syncDurationSec;
  const pool = new pg.Pool({ connectionString: stack.databases.auth, max: 16 });
  const committed = new Array<number>(total);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  try {
    for (let k = 0; k < total; k += 1) {
      const due = started + (k * 1000) / config.syncRate;
      const wait = due - performance.now();
      if (wait > 1) await delay(wait);
      pending.push(change(pool, seededUserId(STEADY_BASE + k), `Changed ${k}`).then((t) => void (committed[k] = t)));
    }
    await Promise.all(pending);
  } finally {
    await pool.end();
  }
  const offeredSec = (performance.now() - started) / 1000;
  const applied = await waitApplied(stack.databases.meetings, STEADY_BASE, total, 2, 120_000);
  const meetingsRows = await sql<{ id: string; at: Date }>(stack.databases.meetings, 'SELECT id, updated_at AS at FROM users WHERE id BETWEEN $1 AND $2 AND version >= 2', [seededUserId(STEADY_BASE), seededUserId(STEADY_BASE + total - 1)]);
  const delivered = await sql<{ id: string; at: Date }>(stack.databases.auth, `SELECT user_id AS id, delivered_at AS at FROM user_outbox WHERE status = 'delivered' AND user_id BETWEEN $1 AND $2`, [seededUserId(STEADY_BASE), seededUserId(STEADY_BASE + total - 1)]);
  const index = (id: string) => parseInt(id.slice(24), 16) - STEADY_BASE;
  const lag = (rows: { id: string; at: Date }[]) =>
    rows.flatMap((r) => {
      const at = committed[index(r.id)];
      return at === undefined ? [] : [r.at.getTime() - at];
    });
  const appliedLag = lag(meetingsRows);
  const ackLag = lag(delivered);
  return { total, applied, offeredRate: round(total / offeredSec, 1), applied_: stats(appliedLag), acked: stats(ackLag) };
}

/** A backlog of `rows` changes (one per user) queued while the relay is stopped, then drained. */
async function drain(ctx: BenchContext) {
  const { stack, config } = ctx;
  const rows = config.drainRows;
  let processStart = 0;
  await stack.restart('auth-service', [], { whileStopped: async () => {
    const at = new Date().toISOString();
    await copyRows(stack.databases.auth, 'user_outbox (user_id, version, kind, payload, created_at, available_at)', DRAIN_BASE, rows, (i) => {
      const u = seededUser(i);
      const payload = { email: u.email, username: u.username, firstName: 'Drained', lastName: `User ${i}`, isActive: true, emailVerified: true, mfaEnabled: false, roles: [], avatarUrl: null, version: 2 };
      return [u.id, 2, 'upsert', JSON.stringify(payload), at, at];
    });
    await sql(stack.databases.auth, 'UPDATE users SET version = 2, first_name = $3 WHERE id BETWEEN $1 AND $2', [seededUserId(DRAIN_BASE), seededUserId(DRAIN_BASE + rows - 1), 'Drained']);
    processStart = Date.now();
  } });
  const readyAt = Date.now();
  const cpuBefore = { auth: await threadCpu(stack.auth.child.pid), meetings: await threadCpu(stack.meetings.child.pid) };
  const applied = await waitApplied(stack.databases.meetings, DRAIN_BASE, rows, 2, Math.max(300_000, rows * 10));
  const doneAt = Date.now();
  const cpu = { auth: diffCpu(cpuBefore.auth, await threadCpu(stack.auth.child.pid)), meetings: diffCpu(cpuBefore.meetings, await threadCpu(stack.meetings.child.pid)) };
  const [span] = await sql<{ first: Date; last: Date }>(stack.databases.meetings, 'SELECT min(updated_at) AS first, max(updated_at) AS last FROM users WHERE id BETWEEN $1 AND $2 AND version >= 2', [seededUserId(DRAIN_BASE), seededUserId(DRAIN_BASE + rows - 1)]);
  const applySec = span ? (span.last.getTime() - span.first.getTime()) / 1000 : Number.NaN;
  const cpuMs = (c: { mainMs: number; libuvMs: number; otherMs: number }) => c.mainMs + c.libuvMs + c.otherMs;
  return {
    rows,
    applied,
    startupSec: round((readyAt - processStart) / 1000, 2),
    wallSec: round((doneAt - processStart) / 1000, 2),
    applySec: round(applySec, 2),
    usersPerSec: round(applied / applySec, 0),
    usersPerSecFromStart: round(applied / ((doneAt - processStart) / 1000), 0),
    cpuMsPerUser: { auth: round(cpuMs(cpu.auth) / Math.max(1, applied), 3), meetings: round(cpuMs(cpu.meetings) / Math.max(1, applied), 3) },
  };
}

/** 12: user sync, commit → applied at the meetings-service, steady and as a drained backlog. */
export async function userSync(ctx: BenchContext): Promise<ScenarioResult> {
  const { stack, config } = ctx;
  const steadyUsers = config.syncRate * config.syncDurationSec;
  ctx.log(`12 user sync: seeding ${steadyUsers} + ${config.drainRows} users in both databases (COPY)`);
  for (const [base, count] of [[STEADY_BASE, steadyUsers], [DRAIN_BASE, config.drainRows]] as const) {
    await seedAuthUsers(stack.databases.auth, base, count, null);
    await seedMeetingsUsers(stack.databases.meetings, base, count);
  }
  await sql(stack.databases.auth, 'ANALYZE users');
  await sql(stack.databases.meetings, 'ANALYZE users');
  const loadBefore = loadavg().map((l) => round(l, 2));
  ctx.log(`12 user sync: ${config.syncRate} changes/s for ${config.syncDurationSec} s`);
  const s = await steady(ctx);
  ctx.log(`  applied ${s.applied}/${s.total}; lag p50 ${s.applied_.p50} ms, p99 ${s.applied_.p99} ms (acknowledged p50 ${s.acked.p50} ms, p99 ${s.acked.p99} ms)`);
  ctx.log(`12 user sync: draining ${config.drainRows} pending changes queued while the relay was stopped`);
  const d = await drain(ctx);
  ctx.log(`  applied ${d.applied}/${d.rows} in ${d.applySec} s: ${d.usersPerSec} users/s (${d.usersPerSecFromStart}/s from process start)`);
  const loadAfter = loadavg().map((l) => round(l, 2));
  return {
    scenario: 12,
    title: 'User sync: lag and backlog drain',
    figures: [
      figure({ id: 'sync_lag_p50_ms', scenario: 12, title: `sync lag commit → applied, p50 (${config.syncRate} changes/s)`, value: s.applied_.p50, unit: 'ms' }),
      figure({ id: 'sync_lag_p99_ms', scenario: 12, title: `sync lag commit → applied, p99 (${config.syncRate} changes/s)`, value: s.applied_.p99, unit: 'ms', target: { op: '<', value: 250 } }),
      figure({ id: 'sync_ack_p99_ms', scenario: 12, title: 'commit → delivery acknowledged (relay marked it), p99', value: s.acked.p99, unit: 'ms' }),
      figure({ id: 'sync_drain_users_per_s', scenario: 12, title: `backlog drain (${d.rows} pending changes)`, value: d.usersPerSec, unit: 'users/s', target: { op: '>=', value: 2000 } }),
      figure({ id: 'sync_drain_wall_s', scenario: 12, title: 'backlog drain, from the auth-service process start', value: d.wallSec, unit: 's' }),
    ],
    notes: [
      `Steady: ${s.total} changes, each to a different seeded user, started on a fixed schedule of ${config.syncRate}/s (achieved ${s.offeredRate}/s) from 16 connections, each one transaction as the auth-service writes it (UPDATE users … version + 1, INSERT user_outbox with the snapshot, pg_notify). "Commit" is when COMMIT returned to the bench; "applied" is the meetings-service's \`users.updated_at\` (its clock when it applied the delivery, a few ms before its own commit), so the lag is a lower bound by that much; "acknowledged" is the relay's \`delivered_at\` (after the meetings-service answered; an upper bound). Same machine, same clock. Applied ${s.applied}/${s.total}; applied lag p50 ${s.applied_.p50} / p99 ${s.applied_.p99} / max ${s.applied_.max} ms, acknowledged p50 ${s.acked.p50} / p99 ${s.acked.p99} / max ${s.acked.max} ms.`,
      `Drain: the auth-service stopped, ${d.rows} pending outbox rows (one per user, version 2) written with COPY, the service started again (${d.startupSec} s to ready); rate = users applied ÷ time between the first and the last \`updated_at\` at the meetings-service (${d.applySec} s); ${d.usersPerSecFromStart} users/s counted from the process start (${d.wallSec} s). CPU per user: auth-service ${d.cpuMsPerUser.auth} ms, meetings-service ${d.cpuMsPerUser.meetings} ms. Relay settings: OUTBOX_BATCH_SIZE ${stack.settings.OUTBOX_BATCH_SIZE}, OUTBOX_CONCURRENCY ${stack.settings.OUTBOX_CONCURRENCY}.`,
      `Load average (1, 5, 15 min) before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}.`,
    ],
    details: { steady: s, drain: d, loadBefore, loadAfter },
  };
}
