import { bearer } from '../harness/fixtures.js';
import { autocannonMeasure, interleaved } from '../harness/load.js';
import { pairedRatio, round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { series } from './context.js';

/**
 * 1 (and the session-check half of 6): a token-verified meetings-service request against a bare
 * Fastify hello-world and better-auth's get-session, same connections, interleaved runs.
 */
export async function verifiedRequest(ctx: BenchContext): Promise<ScenarioResult> {
  const c = ctx.config.httpConnections;
  ctx.log(`1/6 token-verified request: ${ctx.probe.method} ${ctx.probe.path} vs bare Fastify vs better-auth get-session, ${c} connections`);
  const s = await interleaved(
    {
      ours: autocannonMeasure({ url: `${ctx.stack.meetings.url}${ctx.probe.path}`, headers: bearer(ctx.tokens), connections: c }),
      bareFastify: autocannonMeasure({ url: `${ctx.hello.url}/`, connections: c }),
      betterAuthGetSession: autocannonMeasure({ url: `${ctx.betterAuth.argon2id.url}/api/auth/get-session`, headers: { cookie: ctx.betterAuth.cookie }, connections: c }),
    },
    series(ctx),
  );
  const ratio = round(pairedRatio(s.ours.runs, s.bareFastify.runs), 3);
  return {
    scenario: 1,
    title: 'Token-verified request vs bare Fastify',
    figures: [
      figure({ id: 'verified_rps', scenario: 1, title: `meetings-service ${ctx.probe.method} ${ctx.probe.path} (Bearer)`, value: s.ours.rps, unit: 'req/s' }),
      figure({ id: 'bare_fastify_rps', scenario: 1, title: 'bare Fastify hello-world', value: s.bareFastify.rps, unit: 'req/s' }),
      figure({ id: 'verified_vs_bare_ratio', scenario: 1, title: 'ratio token-verified / bare Fastify', value: ratio, unit: '×', target: { op: '>=', value: 0.7 } }),
      figure({ id: 'better_auth_get_session_rps', scenario: 6, title: 'better-auth get-session (cookie)', value: s.betterAuthGetSession.rps, unit: 'req/s' }),
    ],
    notes: [
      `Route measured: \`${ctx.probe.method} ${ctx.probe.path}\` — per request it touches: ${ctx.probe.touches}.`,
      `${c} connections each, ${ctx.config.runs} interleaved runs of ${ctx.config.durationSec} s after a ${ctx.config.warmupSec} s warm-up; medians. The ratio is the median of the per-round ratios (each round ran both back to back); the ratio of the medians is ${round(s.ours.rps / s.bareFastify.rps, 3)}. Per-run req/s: ours ${s.ours.runs.map((r) => r.rps).join(' / ')}, bare ${s.bareFastify.runs.map((r) => r.rps).join(' / ')}.`,
      `p50/p99 at that load: ours ${s.ours.p50Ms}/${s.ours.p99Ms} ms, bare Fastify ${s.bareFastify.p50Ms}/${s.bareFastify.p99Ms} ms, better-auth get-session ${s.betterAuthGetSession.p50Ms}/${s.betterAuthGetSession.p99Ms} ms.`,
    ],
    details: { connections: c, probe: ctx.probe, series: s },
  };
}
