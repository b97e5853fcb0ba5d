import autocannon from 'autocannon';
import { assertLoopback } from '../config.js';
import { median, round } from './stats.js';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** JSON body sent with every request. */
  json?: unknown;
  /** A raw body (e.g. multipart) sent with every request; its content type goes in `headers`. */
  body?: Buffer;
  /** A different JSON body for each request, asked for as it is sent (single-use tokens). */
  nextJson?: () => unknown;
  /**
   * Chains of single-use credentials (refresh tokens): each request takes a token from `tokens`
   * and, on a 200, puts back `next(answer)`, its successor. A connection has one request in
   * flight, so with at least as many tokens as connections no two requests share a token.
   */
  chain?: { tokens: string[]; body: (token: string) => unknown; next: (answer: string) => string };
  connections: number;
  durationSec?: number;
  /** Stop after this many requests instead of after durationSec. */
  amount?: number;
  /** Fixed overall request rate (requests per second across all connections). */
  overallRate?: number;
  timeoutSec?: number;
  /** Status every response must have; anything else makes the run fail loudly. */
  expectStatus?: number;
  /** Other statuses a run may answer without failing (e.g. 503 when a queue sheds load), counted in `shed`. */
  tolerateStatus?: number[];
}

export interface LoadResult {
  /** Responses with the expected status per second of the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  durationSec: number;
  /** Answers with one of the tolerated statuses (LoadSpec.tolerateStatus). */
  shed?: number;
  /** Per-run side measurements (e.g. CPU ms per operation), summarized as medians. */
  extra?: Record<string, number>;
}

/**
 * One autocannon run. Latencies are autocannon's (1 ms resolution). With a fixed rate the
 * coordinated-omission backfill is switched off: autocannon 9 computes its expected interval as
 * ceil(1 / per-connection rate) = 1 ms, a unit slip that would add synthetic samples.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  assertLoopback(spec.url);
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.json !== undefined || spec.nextJson !== undefined || spec.chain !== undefined) headers['content-type'] = 'application/json';
  const next = spec.nextJson;
  const chain = spec.chain;
  if (chain !== undefined && chain.tokens.length < spec.connections) throw new Error(`${chain.tokens.length} chains for ${spec.connections} connections`);
  // An amount-based run ends at autocannon's next 1 s tick after its last answer, so its own
  // duration overstates a short run by up to a second (a 2 s run read as 3 s or 4 s); such a run
  // is timed from its start to its last answer instead.
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const options: autocannon.Options = {
    url: spec.url,
    method: spec.method ?? 'GET',
    headers,
    ...(spec.json === undefined ? {} : { body: JSON.stringify(spec.json) }),
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(next === undefined ? {} : { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify(next()) }) }] }),
    ...(chain === undefined
      ? {}
      : {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify(chain.body(chain.tokens.pop() ?? '')) }),
              onResponse: (status: number, body: string) => {
                if (status === 200) chain.tokens.push(chain.next(body));
              },
            },
          ],
        }),
    connections: spec.connections,
    ...(spec.amount === undefined ? { duration: spec.durationSec ?? 10 } : { amount: spec.amount }),
    ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate, ignoreCoordinatedOmission: true }),
    timeout: spec.timeoutSec ?? 30,
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error as Error) : resolve(done)));
    if (spec.amount !== undefined) instance.on('response', () => (lastAnswerAt = performance.now()));
  });
  const elapsedSec = spec.amount === undefined ? result.duration : Math.max((lastAnswerAt - startedAt) / 1000, 0.001);
  const expected = spec.expectStatus ?? 200;
  const codes = result.statusCodeStats ?? {};
  const ok = codes[`${expected}`]?.count ?? 0;
  const tolerated = new Set((spec.tolerateStatus ?? []).map(String));
  const shed = Object.entries(codes).reduce((n, [code, c]) => (tolerated.has(code) ? n + (c.count ?? 0) : n), 0);
  const unexpected = Object.entries(codes).filter(([code]) => code !== `${expected}` && !tolerated.has(code));
  if (unexpected.length > 0 || result.errors > 0) {
    const detail = unexpected.map(([code, s]) => `${code}×${s.count ?? 0}`).join(', ');
    throw new Error(`${spec.method ?? 'GET'} ${spec.url}: unexpected answers [${detail}], ${result.errors} errors (${result.timeouts} timeouts)`);
  }
  return {
    rps: ok / elapsedSec,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok,
    durationSec: elapsedSec,
    ...(spec.tolerateStatus === undefined ? {} : { shed }),
  };
}

export interface SeriesSummary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  extra: Record<string, number>;
  runs: { rps: number; p50Ms: number; p99Ms: number; extra?: Record<string, number> }[];
}

export function summarize(results: readonly LoadResult[]): SeriesSummary {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.extra ?? {})))];
  return {
    extra: Object.fromEntries(keys.map((k) => [k, round(median(results.map((r) => r.extra?.[k] ?? Number.NaN)), 2)])),
    rps: round(median(results.map((r) => r.rps)), 1),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    runs: results.map((r) => ({ rps: round(r.rps, 1), p50Ms: r.p50Ms, p99Ms: r.p99Ms, ...(r.extra ? { extra: r.extra } : {}) })),
  };
}

/** One measured run of something that yields a rate: an autocannon run, a raw argon2 run. */
export type Measure = (durationSec: number) => Promise<LoadResult>;

export const autocannonMeasure =
  (spec: LoadSpec): Measure =>
  (durationSec) =>
    runLoad({ ...spec, durationSec });

/**
 * Runs several measures side by side: a short warm-up of each, then `runs` rounds in which
 * every measure runs once, interleaved (A B C A B C …), so a noisy neighbour hits all alike and
 * the ratios between them hold.
 */
export async function interleaved<K extends string>(
  measures: Record<K, Measure>,
  opts: { runs: number; durationSec: number; warmupSec: number; log: (msg: string) => void },
): Promise<Record<K, SeriesSummary>> {
  const keys = Object.keys(measures) as K[];
  if (opts.warmupSec > 0) {
    for (const key of keys) await measures[key](opts.warmupSec);
  }
  const results = new Map<K, LoadResult[]>(keys.map((k) => [k, []]));
  for (let run = 1; run <= opts.runs; run += 1) {
    for (const key of keys) {
      const r = await measures[key](opts.durationSec);
      results.get(key)?.push(r);
      const latency = Number.isNaN(r.p50Ms) ? '' : `, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`;
      opts.log(`  run ${run}/${opts.runs} ${key}: ${r.rps.toFixed(1)}/s${latency}`);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, summarize(results.get(k) ?? [])])) as Record<K, SeriesSummary>;
}
