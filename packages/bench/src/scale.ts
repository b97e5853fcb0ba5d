// `pnpm bench:scale` (not part of `pnpm bench`): the same list, join, login and user-lookup figures
// on small tables, then again after seeding 1M users (both services' tables), 1M meetings and 5M
// participations with COPY; the reconciliation rate over every user; EXPLAIN (ANALYZE, BUFFERS)
// of the hot queries. Writes results/scale.md and results/scale.json. Sizes: BENCH_SCALE_*.
import { loadavg } from 'node:os';
import { loadBenchConfig } from './config.js';
import { ChildRegistry } from './harness/children.js';
import { dropDatabases, freshDatabases, postgresVersion } from './harness/databases.js';
import { bearer, benchPassword, createMeetings, login, mapLimited, registerUser } from './harness/fixtures.js';
import type { BenchUser, Tokens } from './harness/fixtures.js';
import { http, httpJson, keepAlive } from './harness/http.js';
import { autocannonMeasure, interleaved } from './harness/load.js';
import type { SeriesSummary } from './harness/load.js';
import { connectRedis, deleteByPrefix, redisVersionOnce } from './harness/redis.js';
import { seedAuthUsers, seedMeetings, seedMeetingsUsers, seedParticipations, seededMeetingCode, seededMeetingId, seededUser, seededUserId, sql } from './harness/seed.js';
import { AUTH_DB, MEETINGS_DB, REDIS_PREFIX, buildServices, startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
import { percentile, round } from './harness/stats.js';
import { tokenMinter } from './harness/tokens.js';
import { figure } from './report/figures.js';
import type { Figure } from './report/figures.js';
import { machineInfo } from './report/machine.js';
import { toMarkdown, writeReport } from './report/write.js';

const startedAt = performance.now();
const config = loadBenchConfig();
const registry = new ChildRegistry();
const redis = connectRedis(config.redisUrl);
const log = (msg: string) => console.log(`[bench:scale ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(5)} s] ${msg}`);

/** The small data set every figure is first measured on (and the users / meetings the figures use). */
const SMALL = { users: 5_000, meetings: 200 };
/** Joins per measurement: each a different seeded user joining one of the small meetings. */
const JOINS = 1_000;
const JOIN_CONCURRENCY = 10;
/** Participation k ≥ 1 of meeting m is user (m + k·STRIDE) mod users: distinct per meeting. */
const STRIDE = 250_007;
const LIST_ROWS = 20;

let cleaning: Promise<void> | undefined;
/** Closes the token minter's Redis connection, once there is one. */
let closeMinter = () => undefined as void;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    closeMinter();
    await registry.stopAll();
    keepAlive.destroy();
    await deleteByPrefix(redis, REDIS_PREFIX).catch((e: unknown) => log(`redis cleanup failed: ${String(e)}`));
    redis.disconnect();
    if (!config.keepDatabases) await dropDatabases(config.postgresUrl, [AUTH_DB, MEETINGS_DB]).catch((e: unknown) => log(`database cleanup failed: ${String(e)}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every child process`);
    void cleanUp().finally(() => process.exit(130));
  });
}

interface Fixtures {
  lister: BenchUser;
  listerTokens: Tokens;
  mint: (u: { id: string; email: string; username: string }) => Promise<string>;
}

interface PhaseFigures {
  list: SeriesSummary;
  login: SeriesSummary;
  lookup: SeriesSummary;
  join: { perSec: number; p50Ms: number; p99Ms: number };
}

/** Joins of users first..first+JOINS-1 (seeded, small range) into the small meetings, JOIN_CONCURRENCY at a time. */
async function joins(stack: Stack, fx: Fixtures, first: number) {
  const tokens = await mapLimited(JOINS, 8, (i) => fx.mint(seededUser(first + i)));
  const latencies: number[] = [];
  const started = performance.now();
  await mapLimited(JOINS, JOIN_CONCURRENCY, async (i) => {
    const t = performance.now();
    const res = await http(`${stack.meetings.url}/v1/meetings/join`, { method: 'POST', headers: { authorization: `Bearer ${tokens[i] ?? ''}` }, json: { code: seededMeetingCode((first + i) % SMALL.meetings) } });
    if (res.status !== 200) throw new Error(`join answered ${res.status}: ${res.body.slice(0, 200)}`);
    latencies.push(performance.now() - t);
  });
  const sec = (performance.now() - started) / 1000;
  return { perSec: round(JOINS / sec, 1), p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1) };
}

async function measure(stack: Stack, fx: Fixtures, label: string, joinFrom: number): Promise<PhaseFigures> {
  log(`${label}: GET /v1/meetings (${LIST_ROWS} rows), POST /v1/auth/login, GET /internal/v1/users/:id, interleaved`);
  const series = { runs: config.runs, durationSec: config.durationSec, warmupSec: config.warmupSec, log };
  const r = await interleaved(
    {
      list: autocannonMeasure({ url: `${stack.meetings.url}/v1/meetings`, headers: bearer(fx.listerTokens), connections: config.httpConnections }),
      login: autocannonMeasure({ url: `${stack.auth.url}/v1/auth/login`, method: 'POST', json: { identifier: fx.lister.username, password: fx.lister.password }, connections: config.loginConnections }),
      lookup: autocannonMeasure({ url: `${stack.auth.url}/internal/v1/users/${seededUserId(SMALL.users - 1)}`, headers: { 'x-service-key': stack.authServiceKey }, connections: config.httpConnections }),
    },
    series,
  );
  log(`${label}: ${JOINS} joins, ${JOIN_CONCURRENCY} at a time`);
  const join = await joins(stack, fx, joinFrom);
  log(`  joins: ${join.perSec}/s, p50 ${join.p50Ms} ms, p99 ${join.p99Ms} ms`);
  return { ...r, join };
}

/** The hot queries as the services run them (meeting-queries.ts, Prisma's lookups), on the large tables. */
async function explainPlans(stack: Stack, lister: BenchUser) {
  const user = seededUserId(SMALL.users + 12_345);
  const queries: { db: 'auth' | 'meetings'; name: string; text: string; values: unknown[] }[] = [
    {
      db: 'meetings',
      name: 'GET /v1/meetings: meetings I am in, newest first (meetingQueries.joinedBy)',
      text: `SELECT m.id, m.code, m.title, m.status::text, m.participant_count, p.joined_at, p.id FROM meeting_participants p JOIN meetings m ON m.id = p.meeting_id WHERE p.user_id = $1::uuid ORDER BY p.joined_at DESC, p.id ASC LIMIT 21`,
      values: [lister.id],
    },
    {
      db: 'meetings',
      name: 'GET /v1/meetings for a seeded user with 5 participations',
      text: `SELECT m.id, m.code, m.title, m.status::text, m.participant_count, p.joined_at, p.id FROM meeting_participants p JOIN meetings m ON m.id = p.meeting_id WHERE p.user_id = $1::uuid ORDER BY p.joined_at DESC, p.id ASC LIMIT 21`,
      values: [user],
    },
    { db: 'meetings', name: 'join: the meeting by code, locked (meetingQueries.lockByCode)', text: `SELECT m.id, m.participant_count, m.max_participants FROM meetings m WHERE m.code = $1 FOR UPDATE`, values: [seededMeetingCode(SMALL.meetings + 777)] },
    { db: 'meetings', name: 'join: the participation (meeting_id, user_id)', text: `SELECT * FROM meeting_participants WHERE meeting_id = $1::uuid AND user_id = $2::uuid`, values: [seededMeetingId(SMALL.meetings + 777), user] },
    { db: 'meetings', name: 'every request: the local user (admit)', text: `SELECT * FROM users WHERE id = $1::uuid`, values: [user] },
    { db: 'auth', name: 'login: the user by username (citext)', text: `SELECT * FROM users WHERE username = $1::citext LIMIT 1`, values: [seededUser(SMALL.users + 54_321).username] },
    { db: 'auth', name: 'GET /internal/v1/users/:id', text: `SELECT * FROM users WHERE id = $1::uuid`, values: [user] },
    {
      db: 'auth',
      name: 'reconciliation page after a cursor (users.repository listUpdatedAfter: the index bound, then the OR)',
      text: `SELECT id, version FROM users WHERE updated_at >= $1 AND (updated_at > $1 OR (updated_at = $1 AND id > $2::uuid)) ORDER BY updated_at ASC, id ASC LIMIT 100`,
      values: [],
    },
  ];
  const [mid] = await sql<{ updated_at: Date; id: string }>(stack.databases.auth, 'SELECT updated_at, id FROM users ORDER BY updated_at, id OFFSET (SELECT count(*) / 2 FROM users) LIMIT 1');
  const plans: { name: string; plan: string }[] = [];
  for (const q of queries) {
    const values = q.values.length > 0 ? q.values : [mid?.updated_at, mid?.id];
    const rows = await sql<{ 'QUERY PLAN': string }>(q.db === 'auth' ? stack.databases.auth : stack.databases.meetings, `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, values);
    plans.push({ name: `${q.db}: ${q.name}`, plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
  }
  return plans;
}

async function main(): Promise<number> {
  const figures: Figure[] = [];
  const notes: string[] = [];
  const failures: { scenario: string; error: string }[] = [];
  let settings: Record<string, string> = {};
  const details: Record<string, unknown> = {};
  try {
    if (!config.skipBuild) {
      log('building auth-service and meetings-service');
      await buildServices(registry, config);
    }
    const urls = await freshDatabases(config.postgresUrl, [AUTH_DB, MEETINGS_DB]);
    await deleteByPrefix(redis, REDIS_PREFIX);
    const stack = await startStack(registry, config, { authDbUrl: urls[AUTH_DB] ?? '', meetingsDbUrl: urls[MEETINGS_DB] ?? '' }, (m) => log(`warning: ${m}`));
    settings = { ...stack.settings, runs: `${config.runs} × ${config.durationSec} s per figure (medians), ${config.warmupSec} s warm-up`, sizes: JSON.stringify(config.scale) };

    const lister = await registerUser(stack.auth.url, 'lister', benchPassword());
    const listerTokens = await login(stack.auth.url, lister);
    await createMeetings(stack.meetings.url, listerTokens, LIST_ROWS + 5);
    const page = await httpJson<{ items: unknown[] }>(`${stack.meetings.url}/v1/meetings`, { headers: bearer(listerTokens) }, 200);
    if (page.items.length !== LIST_ROWS) throw new Error(`GET /v1/meetings returned ${page.items.length} rows, expected ${LIST_ROWS}`);
    const minter = await tokenMinter(stack, config.redisUrl, 3_600);
    closeMinter = minter.close;
    const fx: Fixtures = { lister, listerTokens, mint: minter.mint };

    // The small set: users 0..SMALL.users-1 in both databases, SMALL.meetings meetings hosted by the first users.
    await seedAuthUsers(stack.databases.auth, 0, SMALL.users, null);
    await seedMeetingsUsers(stack.databases.meetings, 0, SMALL.users);
    await seedMeetings(stack.databases.meetings, 0, SMALL.meetings, (i) => i, () => 1);
    await seedParticipations(stack.databases.meetings, 0, SMALL.meetings, (i) => ({ meeting: i, user: i, host: true }));
    for (const url of [stack.databases.auth, stack.databases.meetings]) await sql(url, 'ANALYZE');

    const small = await measure(stack, fx, 'small tables', SMALL.meetings);

    // The large set, after the small one: users, meetings and participations numbered from there.
    const { users, meetings, participations } = config.scale;
    const perMeeting = Math.max(1, Math.ceil(participations / meetings));
    const u0 = SMALL.users;
    const m0 = SMALL.meetings;
    const seedTimes: Record<string, number> = {};
    const timed = async (name: string, work: () => Promise<void>) => {
      const t = performance.now();
      await work();
      seedTimes[name] = round((performance.now() - t) / 1000, 1);
      log(`  ${name}: ${seedTimes[name]} s`);
    };
    log(`seeding ${users} users (both databases), ${meetings} meetings, ${participations} participations with COPY`);
    const seedStart = performance.now();
    await timed('auth users', () => seedAuthUsers(stack.databases.auth, u0, users, null));
    await timed('meetings users', () => seedMeetingsUsers(stack.databases.meetings, u0, users));
    const rowsOf = (m: number) => Math.floor(participations / meetings) + ((m - m0) < participations % meetings ? 1 : 0);
    await timed('meetings', () => seedMeetings(stack.databases.meetings, m0, meetings, (m) => u0 + ((m - m0) % users), rowsOf));
    // Row i: meeting i mod M; its k-th row (k = ⌊i / M⌋) is the host (k = 0) or user (m + k·STRIDE) mod U.
    await timed('participations', () =>
      // Numbered after the small set's host rows (participation ids come from the row number).
      seedParticipations(stack.databases.meetings, SMALL.meetings, participations, (i) => {
        const m = (i - SMALL.meetings) % meetings;
        const k = Math.floor((i - SMALL.meetings) / meetings);
        return { meeting: m0 + m, user: u0 + ((m + k * STRIDE) % users), host: k === 0 };
      }),
    );
    await timed('ANALYZE', async () => {
      await sql(stack.databases.auth, 'ANALYZE');
      await sql(stack.databases.meetings, 'ANALYZE');
    });
    const seedSec = round((performance.now() - seedStart) / 1000, 1);
    details.seedTimes = seedTimes;

    const large = await measure(stack, fx, 'large tables', SMALL.meetings + JOINS);
    const ratio = (a: number, b: number) => round(a / b, 3);
    const rows: [string, string, number, number][] = [
      ['list', `GET /v1/meetings (${LIST_ROWS} rows) req/s`, small.list.rps, large.list.rps],
      ['join', 'POST /v1/meetings/join joins/s', small.join.perSec, large.join.perSec],
      ['login', 'POST /v1/auth/login logins/s', small.login.rps, large.login.rps],
      ['lookup', 'GET /internal/v1/users/:id req/s', small.lookup.rps, large.lookup.rps],
    ];
    figures.push(figure({ id: 'scale_seed_s', scenario: 12, title: `seed ${users} users (×2 databases), ${meetings} meetings, ${participations} participations (COPY + ANALYZE)`, value: seedSec, unit: 's' }));
    for (const [id, title, s, l] of rows) {
      figures.push(figure({ id: `scale_${id}_ratio`, scenario: 12, title: `${title}: large ÷ small (${s} → ${l})`, value: ratio(l, s), unit: '×', target: { op: '>=', value: 0.8 } }));
    }
    notes.push(
      `Seed times (s): ${Object.entries(seedTimes).map(([k, v]) => `${k} ${v}`).join(', ')}; users one millisecond apart in updated_at, each meeting ${perMeeting} participations (its host first).`,
      `Small: the fixtures alone (the lister with ${LIST_ROWS + 5} meetings, ${SMALL.users} users, ${SMALL.meetings} meetings); large: the same plus the seeded rows. Same users and queries in both; every figure median of ${config.runs} interleaved runs of ${config.durationSec} s (joins: ${JOINS} distinct users each, ${JOIN_CONCURRENCY} at a time).`,
      `Latency small → large: list p99 ${small.list.p99Ms} → ${large.list.p99Ms} ms, login p99 ${small.login.p99Ms} → ${large.login.p99Ms} ms, lookup p99 ${small.lookup.p99Ms} → ${large.lookup.p99Ms} ms, join p50 ${small.join.p50Ms} → ${large.join.p50Ms} ms, p99 ${small.join.p99Ms} → ${large.join.p99Ms} ms.`,
    );
    details.small = small;
    details.large = large;

    log('EXPLAIN (ANALYZE, BUFFERS) of the hot queries');
    const plans = await explainPlans(stack, lister);
    details.plans = plans;

    log(`reconciliation: users:reconcile over every user (${users + SMALL.users + 1})`);
    const t = performance.now();
    const run = await stack.command('meetings-service', 'reconcile', [], 6 * 3_600_000);
    const reconcileSec = (performance.now() - t) / 1000;
    const seen = Number(/reconciled: (\d+) users seen/.exec(run.tail())?.[1] ?? Number.NaN);
    figures.push(figure({ id: 'scale_reconcile_users_per_s', scenario: 12, title: `reconciliation of ${seen} users (users:reconcile)`, value: round(seen / reconcileSec, 0), unit: 'users/s' }));
    notes.push(`Reconciliation: \`node dist/src/reconcile.js\` of the meetings-service, ${round(reconcileSec, 1)} s for ${seen} users (${run.tail().split('\n').at(-1) ?? ''}).`);
    notes.push(`Load average (1, 5, 15 min) at the end: ${loadavg().map((l) => round(l, 2)).join(' ')}.`);
    for (const p of plans) notes.push(`Plan, ${p.name}:\n\n\`\`\`\n${p.plan}\n\`\`\``);
  } catch (error) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    failures.push({ scenario: 'scale', error: error instanceof Error ? error.message : String(error) });
  } finally {
    await cleanUp();
  }
  const report = {
    generatedAt: new Date().toISOString(),
    wallTimeSec: Math.round((performance.now() - startedAt) / 1000),
    machine: await machineInfo(config, await postgresVersion(config.postgresUrl).catch(() => 'unknown'), await redisVersionOnce(config.redisUrl)),
    settings,
    scenarios: [{ scenario: 12, title: 'Data at scale', figures, notes, details }],
    profiles: [],
    warnings: [],
    failures,
  };
  const files = await writeReport(config.resultsDir, report, 'scale');
  console.log(`\n${toMarkdown(report)}`);
  log(`wrote ${files.md} and ${files.json}`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
