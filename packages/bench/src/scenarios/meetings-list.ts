import { bearer, createMeetings, login, registerUser } from '../harness/fixtures.js';
import type { BenchUser, Tokens } from '../harness/fixtures.js';
import { httpJson } from '../harness/http.js';
import { diffCpu, threadCpu } from '../harness/cpu.js';
import { autocannonMeasure, interleaved } from '../harness/load.js';
import type { Measure } from '../harness/load.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { series } from './context.js';

const ROWS = 20;
/** Few connections at the fixed rate: autocannon releases each connection's quota at the start of every second. */
const RATE_CONNECTIONS = 10;

const fixtures = new WeakMap<BenchContext, Promise<BenchUser>>();

/**
 * A user whose first page holds ROWS meetings (its own user: the probe user of scenarios 1 and 4
 * must keep an empty list). Made once per run; the profiles reuse it, each caller with a fresh
 * login (an access token lives 15 minutes, a full run longer).
 */
export async function listFixture(ctx: BenchContext): Promise<Tokens> {
  let made = fixtures.get(ctx);
  if (made === undefined) {
    made = (async () => {
      const lister = await registerUser(ctx.stack.auth.url, 'lister', ctx.user.password);
      const tokens = await login(ctx.stack.auth.url, lister);
      await createMeetings(ctx.stack.meetings.url, tokens, ROWS + 5);
      const page = await httpJson<{ items: unknown[] }>(`${ctx.stack.meetings.url}/v1/meetings`, { headers: bearer(tokens) }, 200);
      if (page.items.length !== ROWS) throw new Error(`GET /v1/meetings returned ${page.items.length} rows, expected ${ROWS}`);
      return lister;
    })();
    fixtures.set(ctx, made);
  }
  return login(ctx.stack.auth.url, await made);
}

/**
 * The meetings-service's own CPU time per answered request (all its threads). Unlike req/s it
 * hardly moves with what else the machine runs, so it compares builds on a busy machine.
 */
function withServiceCpu(pid: number, measure: Measure): Measure {
  return async (sec) => {
    const before = await threadCpu(pid);
    const r = await measure(sec);
    const d = diffCpu(before, await threadCpu(pid));
    return { ...r, extra: { cpuMsPerRequest: (d.mainMs + d.libuvMs + d.otherMs) / Math.max(1, r.ok) } };
  };
}

/** 3: GET /v1/meetings (20 rows): maximum throughput, then p50/p99 at half of it. */
export async function meetingsList(ctx: BenchContext): Promise<ScenarioResult> {
  const tokens = await listFixture(ctx);
  const url = `${ctx.stack.meetings.url}/v1/meetings`;

  const c = ctx.config.httpConnections;
  ctx.log(`3/6 GET /v1/meetings (${ROWS} rows): maximum throughput at ${c} connections`);
  const max = await interleaved(
    { max: withServiceCpu(ctx.stack.meetings.child.pid, autocannonMeasure({ url, headers: bearer(tokens), connections: c })) },
    series(ctx),
  );
  const rate = Math.max(1, Math.floor(max.max.rps / 2));
  ctx.log(`3/6 GET /v1/meetings at half of it: ${rate} req/s`);
  const half = await interleaved(
    { half: autocannonMeasure({ url, headers: bearer(tokens), connections: RATE_CONNECTIONS, overallRate: rate }) },
    { ...series(ctx), warmupSec: 0 },
  );
  return {
    scenario: 3,
    title: 'Meetings list latency at half of maximum throughput',
    figures: [
      figure({ id: 'meetings_list_max_rps', scenario: 3, title: `GET /v1/meetings (${ROWS} rows) maximum throughput`, value: max.max.rps, unit: 'req/s' }),
      figure({ id: 'meetings_list_cpu_ms_per_request', scenario: 3, title: 'meetings-service CPU time per request at maximum throughput', value: max.max.extra.cpuMsPerRequest ?? Number.NaN, unit: 'ms' }),
      figure({ id: 'meetings_list_half_rate', scenario: 3, title: 'fixed rate used (half of maximum)', value: rate, unit: 'req/s' }),
      figure({ id: 'meetings_list_p50_ms', scenario: 3, title: 'p50 latency at half load', value: half.half.p50Ms, unit: 'ms' }),
      figure({ id: 'meetings_list_p99_ms', scenario: 3, title: 'p99 latency at half load', value: half.half.p99Ms, unit: 'ms', target: { op: '<', value: 20 } }),
    ],
    notes: [
      `Maximum: ${c} connections, median of ${ctx.config.runs} runs (p50 ${max.max.p50Ms} ms, p99 ${max.max.p99Ms} ms at saturation).`,
      `Half load: autocannon \`overallRate\` ${rate} req/s over ${RATE_CONNECTIONS} connections, ${ctx.config.runs} runs of ${ctx.config.durationSec} s, medians; achieved ${half.half.rps} req/s. autocannon releases each connection's per-second quota at the start of each second, so the load arrives in bursts of ${RATE_CONNECTIONS} concurrent requests (harsher than a smooth arrival); latencies have 1 ms resolution.`,
    ],
    details: { rows: ROWS, max, half, rate, rateConnections: RATE_CONNECTIONS },
  };
}
