import { bearer, login, mapLimited } from '../harness/fixtures.js';
import type { Tokens } from '../harness/fixtures.js';
import { http } from '../harness/http.js';
import { percentile, round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';

/** A trial gives up (and counts as a failure) if the token is still accepted after this long. */
const GIVE_UP_MS = 2_000;
const MAX_POLLS = 100_000;

interface Trial {
  ms: number;
  polls: number;
}

async function trial(ctx: BenchContext, tokens: Tokens): Promise<Trial> {
  const probe = `${ctx.stack.meetings.url}${ctx.probe.path}`;
  // The meetings-service has seen (and confirmed) the session before it is revoked.
  const warm = await http(probe, { headers: bearer(tokens) });
  if (warm.status !== 200) throw new Error(`probe answered ${warm.status} before logout: ${warm.body.slice(0, 200)}`);
  const out = await http(`${ctx.stack.auth.url}/v1/auth/logout`, { method: 'POST', headers: bearer(tokens) });
  if (out.status !== 204) throw new Error(`logout answered ${out.status}`);
  const t0 = performance.now();
  for (let polls = 1; polls <= MAX_POLLS; polls += 1) {
    const res = await http(probe, { headers: bearer(tokens) });
    const elapsed = performance.now() - t0;
    if (res.status === 401) return { ms: elapsed, polls };
    if (res.status !== 200) throw new Error(`probe answered ${res.status} after logout`);
    if (elapsed > GIVE_UP_MS) return { ms: Number.POSITIVE_INFINITY, polls };
  }
  return { ms: Number.POSITIVE_INFINITY, polls: MAX_POLLS };
}

/** 4: time from logout returning at the auth-service to the meetings-service refusing the token. */
export async function revocation(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.config.revocationTrials;
  ctx.log(`4/6 revocation propagation: ${n} trials (logging in ${n} sessions first)`);
  const sessions = await mapLimited(n, ctx.config.argon2MaxConcurrency * 2, () => login(ctx.stack.auth.url, ctx.user));
  const trials: Trial[] = [];
  for (const tokens of sessions) trials.push(await trial(ctx, tokens));
  const ms = trials.map((t) => t.ms);
  const refusedAtFirstPoll = trials.filter((t) => t.polls === 1).length;
  const failed = ms.filter((m) => !Number.isFinite(m)).length;
  const p50 = round(percentile(ms, 50), 2);
  const p99 = round(percentile(ms, 99), 2);
  return {
    scenario: 4,
    title: 'Revocation propagation (logout → meetings-service refuses)',
    figures: [
      figure({ id: 'revocation_p50_ms', scenario: 4, title: 'logout returned → token refused, p50', value: p50, unit: 'ms' }),
      figure({ id: 'revocation_p99_ms', scenario: 4, title: 'logout returned → token refused, p99', value: p99, unit: 'ms', target: { op: '<', value: 100 } }),
    ],
    notes: [
      `${n} trials, one fresh session each. Per trial: one authenticated request to \`${ctx.probe.path}\` (the service confirms the session), \`POST /v1/auth/logout\`, then the same request in a tight sequential loop on a keep-alive connection until it answers 401 (give up after ${GIVE_UP_MS} ms).`,
      `Refused at the very first poll: ${refusedAtFirstPoll}/${n} (the figure is then one request's round trip); never refused: ${failed}. Max ${round(Math.max(...ms), 2)} ms.`,
    ],
    details: { trials: n, refusedAtFirstPoll, failed, max: Math.max(...ms), mean: round(ms.reduce((a, b) => a + b, 0) / n, 3) },
  };
}
