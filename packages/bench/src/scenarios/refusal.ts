import { bearer } from '../harness/fixtures.js';
import type { Tokens } from '../harness/fixtures.js';
import { http } from '../harness/http.js';
import { percentile, round } from '../harness/stats.js';
import type { BenchContext } from './context.js';

/** A trial gives up (and counts as a failure) if the token is still accepted after this long. */
export const GIVE_UP_MS = 2_000;
const MAX_POLLS = 100_000;

export interface Trial {
  ms: number;
  polls: number;
}

/**
 * One propagation trial: the meetings-service accepts `tokens` (and so has confirmed its session),
 * `change` runs at the auth-service and returns, then the same request to the probe route is
 * repeated in a tight sequential loop on a keep-alive connection until it is refused (401, or
 * 403 once the user sync has told the meetings-service of a disable). The time runs from
 * `change` returning to the first refusal.
 */
export async function timeToRefusal(ctx: BenchContext, tokens: Tokens, change: () => Promise<void>): Promise<Trial> {
  const probe = `${ctx.stack.meetings.url}${ctx.probe.path}`;
  const warm = await http(probe, { headers: bearer(tokens) });
  if (warm.status !== 200) throw new Error(`probe answered ${warm.status} before the change: ${warm.body.slice(0, 200)}`);
  await change();
  const t0 = performance.now();
  for (let polls = 1; polls <= MAX_POLLS; polls += 1) {
    const res = await http(probe, { headers: bearer(tokens) });
    const elapsed = performance.now() - t0;
    if (res.status === 401 || res.status === 403) return { ms: elapsed, polls };
    if (res.status !== 200) throw new Error(`probe answered ${res.status} after the change`);
    if (elapsed > GIVE_UP_MS) return { ms: Number.POSITIVE_INFINITY, polls };
  }
  return { ms: Number.POSITIVE_INFINITY, polls: MAX_POLLS };
}

/** p50, p99 and what the notes say about a series of trials. */
export function summarize(trials: readonly Trial[]) {
  const ms = trials.map((t) => t.ms);
  const max = Math.max(...ms);
  return {
    trials: trials.length,
    p50: round(percentile(ms, 50), 2),
    p99: round(percentile(ms, 99), 2),
    max,
    mean: round(ms.reduce((a, b) => a + b, 0) / trials.length, 3),
    refusedAtFirstPoll: trials.filter((t) => t.polls === 1).length,
    failed: ms.filter((m) => !Number.isFinite(m)).length,
  };
}
