import { bearer, login, mapLimited } from '../harness/fixtures.js';
import { httpJson } from '../harness/http.js';
import { round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { GIVE_UP_MS, summarize, timeToRefusal } from './refusal.js';
import type { Trial } from './refusal.js';

/** 4: time from logout returning at the auth-service to the meetings-service refusing the token. */
export async function revocation(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.config.revocationTrials;
  ctx.log(`4/6 revocation propagation: ${n} trials (logging in ${n} sessions first)`);
  const sessions = await mapLimited(n, ctx.config.argon2MaxConcurrency * 2, () => login(ctx.stack.auth.url, ctx.user));
  const trials: Trial[] = [];
  for (const tokens of sessions) {
    trials.push(
      await timeToRefusal(ctx, tokens, async () => {
        await httpJson(`${ctx.stack.auth.url}/v1/auth/logout`, { method: 'POST', headers: bearer(tokens) }, 204);
      }),
    );
  }
  const s = summarize(trials);
  return {
    scenario: 4,
    title: 'Revocation propagation (logout → meetings-service refuses)',
    figures: [
      figure({ id: 'revocation_p50_ms', scenario: 4, title: 'logout returned → token refused, p50', value: s.p50, unit: 'ms' }),
      figure({ id: 'revocation_p99_ms', scenario: 4, title: 'logout returned → token refused, p99', value: s.p99, unit: 'ms', target: { op: '<', value: 100 } }),
    ],
    notes: [
      `${n} trials, one fresh session each. Per trial: one authenticated request to \`${ctx.probe.path}\` (the service confirms the session), \`POST /v1/auth/logout\`, then the same request in a tight sequential loop on a keep-alive connection until it answers 401 (give up after ${GIVE_UP_MS} ms).`,
      `Refused at the very first poll: ${s.refusedAtFirstPoll}/${n} (the figure is then one request's round trip); never refused: ${s.failed}. Max ${round(s.max, 2)} ms.`,
    ],
    details: { trials: n, refusedAtFirstPoll: s.refusedAtFirstPoll, failed: s.failed, max: s.max, mean: s.mean },
  };
}
