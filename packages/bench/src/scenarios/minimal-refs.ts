import { randomUUID } from 'node:crypto';
import { mintRefreshToken, newSessionSalt } from '@authmeet/auth-service/refresh-token';
import { createSessionsRepository } from '@authmeet/auth-service/sessions-repository';
import { Redis } from 'ioredis';
import { bearer } from '../harness/fixtures.js';
import { cpuPerOp } from '../harness/cpu.js';
import { autocannonMeasure, interleaved, runLoad } from '../harness/load.js';
import type { Measure } from '../harness/load.js';
import { startMinimalRefs } from '../harness/peers.js';
import { REDIS_PREFIX } from '../harness/stack.js';
import { pairedRatio, round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { Figure, ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { series } from './context.js';

/** Issue 17, item 1: ours ÷ the minimal reference, and /healthz ÷ bare hello. */
const REFERENCE_TARGET = 0.8;
const HEALTHZ_TARGET = 0.7;

/**
 * Sessions of the bench user opened as a login opens them (the sessions repository's `create`,
 * the same Redis layout), without hashing a password for each: their refresh tokens.
 */
async function openSessions(ctx: BenchContext, redis: Redis, n: number): Promise<string[]> {
  const sessions = createSessionsRepository(redis, { keyPrefix: REDIS_PREFIX, revocationTtlSec: 960 });
  const now = Date.now();
  return Promise.all(
    Array.from({ length: n }, async () => {
      const id = randomUUID();
      const refresh = mintRefreshToken(ctx.user.id, id);
      await sessions.create({
        id,
        userId: ctx.user.id,
        refreshHash: refresh.hash,
        salt: newSessionSalt(),
        now,
        expiresAt: now + 7 * 86_400_000,
        absoluteExpiresAt: now + 30 * 86_400_000,
        ip: '127.0.0.1',
        userAgent: 'autocannon',
        authn: { amr: ['pwd'], acr: 'aal1', authTime: now },
      });
      return refresh.token;
    }),
  );
}

/**
 * Refreshes rotate single-use tokens: each run gets fresh sessions, one per connection (a
 * request cut off when a run ends takes its chain with it), and each request presents the
 * token a previous answer gave.
 */
function refreshMeasure(ctx: BenchContext, redis: Redis, url: string): Measure {
  const c = ctx.config.httpConnections;
  return async (sec) =>
    runLoad({
      url: `${url}/v1/auth/refresh`,
      method: 'POST',
      connections: c,
      durationSec: sec,
      chain: { tokens: await openSessions(ctx, redis, c), body: (refreshToken) => ({ refreshToken }), next: (answer) => (JSON.parse(answer) as { refreshToken: string }).refreshToken },
    });
}

/** The same request must get the same JSON from ours and from the reference (ids and times aside). */
async function sameAnswer(ctx: BenchContext, path: string, ours: string, reference: string): Promise<void> {
  const get = async (base: string) => {
    const res = await fetch(`${base}${path}`, { headers: bearer(ctx.tokens) });
    if (res.status !== 200) throw new Error(`${base}${path} answered ${res.status}`);
    return res.text();
  };
  const [a, b] = await Promise.all([get(ours), get(reference)]);
  if (a !== b) throw new Error(`the reference answers ${path} differently:\nours      ${a.slice(0, 300)}\nreference ${b.slice(0, 300)}`);
}

/**
 * 11: each hot route of ours beside its minimal reference (bare Fastify, jose with a cache, a `pg`
 * pool, ioredis: servers/minimal-*.ts), interleaved in the same rounds, and each service's
 * /healthz beside the bare hello-world.
 */
export async function minimalReferences(ctx: BenchContext): Promise<ScenarioResult> {
  const refs = await startMinimalRefs(ctx.registry, ctx.config, ctx.stack);
  const { meetings, auth } = ctx.stack;
  await sameAnswer(ctx, ctx.probe.path, meetings.url, refs.meetings.url);
  await sameAnswer(ctx, '/v1/auth/me', auth.url, refs.auth.url);
  const c = ctx.config.httpConnections;
  const redis = new Redis(ctx.config.redisUrl, { keyPrefix: REDIS_PREFIX });
  // CPU per answer of the serving process (/proc, every thread): what a saturated single-threaded
  // server's rate is the inverse of, and what a noisy neighbour does not inflate the way it
  // moves req/s between rounds.
  const onCpu = (pid: () => number, measure: Measure): Measure => cpuPerOp({ service: pid }, measure);
  const ourMeetings = () => meetings.child.pid;
  const ourAuth = () => auth.child.pid;
  const refMeetings = () => refs.meetings.child.pid;
  const refAuth = () => refs.auth.child.pid;
  const get = (pid: () => number, url: string) => onCpu(pid, autocannonMeasure({ url, headers: bearer(ctx.tokens), connections: c }));
  ctx.log(`11 ours vs minimal references (${ctx.probe.path}, /v1/auth/me, /v1/auth/refresh) and /healthz vs bare hello, ${c} connections`);
  const s = await interleaved(
    {
      oursMeetings: get(ourMeetings, `${meetings.url}${ctx.probe.path}`),
      minimalMeetings: get(refMeetings, `${refs.meetings.url}${ctx.probe.path}`),
      oursMe: get(ourAuth, `${auth.url}/v1/auth/me`),
      minimalMe: get(refAuth, `${refs.auth.url}/v1/auth/me`),
      oursRefresh: onCpu(ourAuth, refreshMeasure(ctx, redis, auth.url)),
      minimalRefresh: onCpu(refAuth, refreshMeasure(ctx, redis, refs.auth.url)),
      meetingsHealthz: onCpu(ourMeetings, autocannonMeasure({ url: `${meetings.url}/healthz`, connections: c })),
      authHealthz: onCpu(ourAuth, autocannonMeasure({ url: `${auth.url}/healthz`, connections: c })),
      bareHello: onCpu(() => ctx.hello.child.pid, autocannonMeasure({ url: `${ctx.hello.url}/`, connections: c })),
    },
    series(ctx),
  );
  redis.disconnect();
  await Promise.all([ctx.registry.stop('minimal-meetings'), ctx.registry.stop('minimal-auth')]);

  const pairs = [
    ['meetings', `GET ${ctx.probe.path}`, s.oursMeetings, s.minimalMeetings],
    ['me', 'GET /v1/auth/me', s.oursMe, s.minimalMe],
    ['refresh', 'POST /v1/auth/refresh', s.oursRefresh, s.minimalRefresh],
  ] as const;
  const figures: Figure[] = pairs.flatMap(([id, route, ours, minimal]) => [
    figure({ id: `minimal_${id}_rps`, scenario: 11, title: `minimal reference ${route}`, value: minimal.rps, unit: 'req/s' }),
    figure({ id: `ours_${id}_rps`, scenario: 11, title: `ours ${route}`, value: ours.rps, unit: 'req/s' }),
    figure({ id: `ours_vs_minimal_${id}_ratio`, scenario: 11, title: `ratio ours / minimal, ${route}`, value: round(pairedRatio(ours.runs, minimal.runs), 3), unit: '×', target: { op: '>=', value: REFERENCE_TARGET } }),
  ]);
  figures.push(
    figure({ id: 'hello_rps', scenario: 11, title: 'bare Fastify hello-world', value: s.bareHello.rps, unit: 'req/s' }),
    figure({ id: 'meetings_healthz_rps', scenario: 11, title: 'meetings-service GET /healthz', value: s.meetingsHealthz.rps, unit: 'req/s' }),
    figure({ id: 'meetings_healthz_vs_hello_ratio', scenario: 11, title: 'ratio meetings-service /healthz / bare hello', value: round(pairedRatio(s.meetingsHealthz.runs, s.bareHello.runs), 3), unit: '×', target: { op: '>=', value: HEALTHZ_TARGET } }),
    figure({ id: 'auth_healthz_rps', scenario: 11, title: 'auth-service GET /healthz', value: s.authHealthz.rps, unit: 'req/s' }),
    figure({ id: 'auth_healthz_vs_hello_ratio', scenario: 11, title: 'ratio auth-service /healthz / bare hello', value: round(pairedRatio(s.authHealthz.runs, s.bareHello.runs), 3), unit: '×', target: { op: '>=', value: HEALTHZ_TARGET } }),
  );
  // µs of the serving process's CPU per answer (median of the rounds), and the rate ratio it implies.
  const usPerAnswer = (x: { extra: Record<string, number> }) => round((x.extra.serviceMs ?? Number.NaN) * 1000, 1);
  const cpuRatio = (ours: { extra: Record<string, number> }, base: { extra: Record<string, number> }) => round(usPerAnswer(base) / usPerAnswer(ours), 3);
  for (const [id, route, ours, minimal] of pairs) {
    figures.push(
      figure({ id: `ours_${id}_cpu_us`, scenario: 11, title: `CPU per answer, ours ${route}`, value: usPerAnswer(ours), unit: 'µs' }),
      figure({ id: `minimal_${id}_cpu_us`, scenario: 11, title: `CPU per answer, minimal reference ${route}`, value: usPerAnswer(minimal), unit: 'µs' }),
      figure({ id: `ours_vs_minimal_${id}_cpu_ratio`, scenario: 11, title: `CPU ratio minimal / ours, ${route} (the rate ratio a saturated server would show)`, value: cpuRatio(ours, minimal), unit: '×' }),
    );
  }
  figures.push(
    figure({ id: 'hello_cpu_us', scenario: 11, title: 'CPU per answer, bare hello', value: usPerAnswer(s.bareHello), unit: 'µs' }),
    figure({ id: 'meetings_healthz_cpu_us', scenario: 11, title: 'CPU per answer, meetings-service /healthz', value: usPerAnswer(s.meetingsHealthz), unit: 'µs' }),
    figure({ id: 'auth_healthz_cpu_us', scenario: 11, title: 'CPU per answer, auth-service /healthz', value: usPerAnswer(s.authHealthz), unit: 'µs' }),
    figure({ id: 'meetings_healthz_vs_hello_cpu_ratio', scenario: 11, title: 'CPU ratio hello / meetings-service /healthz', value: cpuRatio(s.meetingsHealthz, s.bareHello), unit: '×' }),
    figure({ id: 'auth_healthz_vs_hello_cpu_ratio', scenario: 11, title: 'CPU ratio hello / auth-service /healthz', value: cpuRatio(s.authHealthz, s.bareHello), unit: '×' }),
  );
  const perRun = (x: { runs: { rps: number }[] }) => x.runs.map((r) => r.rps).join(' / ');
  return {
    scenario: 11,
    title: 'Ours vs minimal references; /healthz vs bare hello',
    figures,
    notes: [
      'References (packages/bench/src/servers/minimal-*.ts): bare Fastify, no plugins, no logger; a `pg` pool of 10 (our DATABASE_POOL_SIZE); ioredis with our key prefix; jose verifying EdDSA at+jwt tokens (issuer, audience, expiry, required claims) cached by SHA-256 until expiry, and per request the session-alive and not-before check in Redis (the sessions repository\'s `isTokenRevoked`, one round trip). Same SQL as ours, same Redis scripts for the rotation, same JSON: checked byte for byte for the two GETs before measuring.',
      `What ours does on top: the per-IP rate limits (the generic one counted in memory and added to Redis every 100 ms; the refresh route's own limit a Redis round trip per request), helmet and CORS headers, request ids, request metrics and logs, zod validation and serialisation, problem+json errors, admission of the caller (meetings-service, from memory). The token check differs in kind: ours answers revocation from an in-memory view fed by pub/sub in the meetings-service, the reference asks Redis every time.`,
      `${c} connections each, ${ctx.config.runs} interleaved rounds of ${ctx.config.durationSec} s after a ${ctx.config.warmupSec} s warm-up; ratios are medians of per-round ratios. Refresh: fresh sessions of the bench user for every run, one per connection, opened before the timed window with the sessions repository (the layout a login writes, without hashing a password each), each request presenting a token a previous answer gave. Per-run req/s: meetings ours ${perRun(s.oursMeetings)}, minimal ${perRun(s.minimalMeetings)}; /me ours ${perRun(s.oursMe)}, minimal ${perRun(s.minimalMe)}; refresh ours ${perRun(s.oursRefresh)}, minimal ${perRun(s.minimalRefresh)}; hello ${perRun(s.bareHello)}, meetings /healthz ${perRun(s.meetingsHealthz)}, auth /healthz ${perRun(s.authHealthz)}.`,
      `CPU per answer (µs, the serving process with all its threads, from /proc in 10 ms ticks; medians of the rounds): meetings ours ${usPerAnswer(s.oursMeetings)}, minimal ${usPerAnswer(s.minimalMeetings)}; /me ours ${usPerAnswer(s.oursMe)}, minimal ${usPerAnswer(s.minimalMe)}; refresh ours ${usPerAnswer(s.oursRefresh)}, minimal ${usPerAnswer(s.minimalRefresh)}; hello ${usPerAnswer(s.bareHello)}, meetings /healthz ${usPerAnswer(s.meetingsHealthz)}, auth /healthz ${usPerAnswer(s.authHealthz)}. On a shared VM whose req/s swing between rounds, these ratios are the steadier reading of the same targets; the targets stay judged on req/s.`,
      `p50/p99: meetings ours ${s.oursMeetings.p50Ms}/${s.oursMeetings.p99Ms} ms, minimal ${s.minimalMeetings.p50Ms}/${s.minimalMeetings.p99Ms} ms; /me ours ${s.oursMe.p50Ms}/${s.oursMe.p99Ms} ms, minimal ${s.minimalMe.p50Ms}/${s.minimalMe.p99Ms} ms; refresh ours ${s.oursRefresh.p50Ms}/${s.oursRefresh.p99Ms} ms, minimal ${s.minimalRefresh.p50Ms}/${s.minimalRefresh.p99Ms} ms.`,
    ],
    details: { connections: c, series: s },
  };
}
