import { setTimeout as delay } from 'node:timers/promises';
import { generate } from 'otplib';
import { cpuPerOp } from '../harness/cpu.js';
import { backendPids } from '../harness/databases.js';
import { benchPassword, bearer, login, mapLimited, registerUser } from '../harness/fixtures.js';
import type { BenchUser } from '../harness/fixtures.js';
import { httpJson } from '../harness/http.js';
import { runLoad } from '../harness/load.js';
import type { LoadResult } from '../harness/load.js';
import { connectRedis, redisPid } from '../harness/redis.js';
import { AUTH_DB } from '../harness/stack.js';
import { median, pairedRatio, round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { profileOne } from './profiles.js';

/** RFC 6238 steps of the service (30 s); a step once used refuses every code of it and before. */
const STEP_MS = 30_000;
const stepAt = (ms: number) => Math.floor(ms / STEP_MS);

interface MfaUser extends BenchUser {
  secret: string;
  recoveryCodes: string[];
}

interface FirstStep {
  mfaRequired: boolean;
  mfaToken: string;
}

interface RoundResult {
  verify: LoadResult;
  login: LoadResult;
  /** Password logins of the MFA users (each one's answer is an mfaToken), per second. */
  firstStepRps: number;
}

/** A user with TOTP on: registered, enrolled and confirmed through the API. */
async function mfaUser(authUrl: string, i: number): Promise<MfaUser> {
  const user = await registerUser(authUrl, `mfa${i}x`, benchPassword());
  const auth = bearer(await login(authUrl, user));
  const { secret } = await httpJson<{ secret: string }>(`${authUrl}/v1/auth/mfa/totp/setup`, { method: 'POST', headers: auth }, 200);
  // The current step's code: on a loaded machine an older one may be out of the ±1 step window
  // by the time it is checked. The measured rounds use later steps.
  const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) });
  const { recoveryCodes } = await httpJson<{ recoveryCodes: string[] }>(`${authUrl}/v1/auth/mfa/totp/confirm`, { method: 'POST', headers: auth, json: { code } }, 200);
  return { ...user, secret, recoveryCodes };
}

/** Fixture calls on a busy machine: a 500 or 503 (a transaction or pool timeout) is tried again, a few times. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 5 || !/answered 50[03]/.test(String(error))) throw error;
      await delay(1000 * attempt);
    }
  }
}

/** One password login per user: the pending logins (mfaTokens) the verify run completes. */
async function firstSteps(authUrl: string, users: readonly MfaUser[], connections: number): Promise<{ tokens: string[]; rps: number }> {
  const started = performance.now();
  const tokens = await mapLimited(users.length, connections, async (i) => {
    const u = users[i] as MfaUser;
    const body = await patiently(() => httpJson<FirstStep>(`${authUrl}/v1/auth/login`, { method: 'POST', json: { identifier: u.username, password: u.password } }, 200));
    if (!body.mfaRequired) throw new Error('an MFA user logged in without a second step');
    return body.mfaToken;
  });
  return { tokens, rps: users.length / ((performance.now() - started) / 1000) };
}

/**
 * Fires one verify per pending login from `from` on (of `tokens`, the users' in order), each
 * with its own user's code, `connections` at a time.
 */
function verifyRun(authUrl: string, tokens: readonly string[], codeOf: (i: number) => Record<string, string>, connections: number, from = 0, to = tokens.length): Promise<LoadResult> {
  let next = from;
  return runLoad({
    url: `${authUrl}/v1/auth/mfa/verify`,
    method: 'POST',
    connections: Math.min(connections, to - from),
    amount: to - from,
    timeoutSec: 60,
    nextJson: () => {
      const i = next;
      next += 1;
      // Past the end: a token no one issued, so an over-eager client fails the run loudly (401).
      return { mfaToken: (i < to ? tokens[i] : undefined) ?? 'spent', ...codeOf(i) };
    },
  });
}

/** Waits until the TOTP step is later than `step` (a code of `step` or earlier would be a replay). */
async function stepAfter(step: number): Promise<number> {
  while (stepAt(Date.now()) <= step) await delay(Math.min(1000, (step + 1) * STEP_MS - Date.now() + 5));
  return stepAt(Date.now());
}

/** Every user's TOTP code of `step`. */
const codesAt = (users: readonly MfaUser[], step: number) => Promise.all(users.map((u) => generate({ secret: u.secret, epoch: (step * STEP_MS) / 1000 })));

const summary = (runs: readonly LoadResult[], key: string) => round(median(runs.map((r) => r.extra?.[key] ?? Number.NaN)), 2);

/**
 * 8: `POST /v1/auth/mfa/verify` completions/s against logins/s (scenario 2's login, measured in
 * the same rounds): the second step must not be what limits a login (issue 18: ≥ 10×).
 */
export async function mfaVerify(ctx: BenchContext): Promise<ScenarioResult> {
  const authUrl = ctx.stack.auth.url;
  const pid = () => ctx.stack.auth.child.pid;
  const n = ctx.config.mfaUsers;
  const c = ctx.config.loginConnections;
  // Verifies are measured like the other throughput figures: a login is bound by hashing (more
  // connections only queue), a verify by round trips, so it needs more requests in flight.
  const vc = ctx.config.httpConnections;
  const loginSpec = { url: `${authUrl}/v1/auth/login`, method: 'POST' as const, json: { identifier: ctx.user.username, password: ctx.user.password }, connections: c };
  ctx.log(`8 MFA verify: ${n} users with TOTP on (register, enrol, confirm)`);
  // As many at once as logins: the service's hash queue stays full (set-up is not timed).
  const users = await mapLimited(n, c, (i) => patiently(() => mfaUser(authUrl, i)));
  // CPU per operation beyond the service: the Postgres backends of its database and the Redis
  // server (shared with anything else using it on this machine).
  const redis = connectRedis(ctx.config.redisUrl);
  const redisServer = await redisPid(redis).finally(() => redis.disconnect());
  const subjects = {
    service: pid,
    groups: { postgres: () => backendPids(ctx.config.postgresUrl, AUTH_DB), redis: async () => (redisServer > 0 ? [redisServer] : []) },
  };
  // The first verifies of each round are not timed: they ramp the connections and pools up.
  const warmCount = Math.min(Math.floor(n / 10), vc * 4);

  // Warm-up with recovery codes (they leave the TOTP steps alone for the measured rounds).
  const warm = users.slice(0, Math.min(100, n));
  const warmTokens = await firstSteps(authUrl, warm, c);
  await verifyRun(authUrl, warmTokens.tokens, (i) => ({ recoveryCode: warm[i]?.recoveryCodes[0] ?? '' }), vc);
  await runLoad({ ...loginSpec, durationSec: Math.max(1, ctx.config.warmupSec) });

  const rounds: RoundResult[] = [];
  // Every user confirmed with a code of a step up to this one.
  let usedStep = stepAt(Date.now());
  for (let run = 1; run <= ctx.config.runs; run += 1) {
    const pending = await firstSteps(authUrl, users, c);
    const step = await stepAfter(usedStep);
    // Codes of this step, computed before the run (the client's HMACs are not timed); should the
    // step end during the run, they stay valid one more step (the service's ±1 step window).
    const codes = await codesAt(users, step);
    const codeOf = (i: number) => ({ code: codes[i] ?? '' });
    await verifyRun(authUrl, pending.tokens, codeOf, vc, 0, warmCount);
    const verify = await cpuPerOp(subjects, () => verifyRun(authUrl, pending.tokens, codeOf, vc, warmCount))(0);
    usedStep = step;
    const loginRun = await cpuPerOp(subjects, (durationSec) => runLoad({ ...loginSpec, durationSec }))(ctx.config.durationSec);
    rounds.push({ verify, login: loginRun, firstStepRps: pending.rps });
    ctx.log(
      `  run ${run}/${ctx.config.runs}: verify ${verify.rps.toFixed(1)}/s (p50 ${verify.p50Ms} ms, ${round(verify.durationSec, 2)} s; CPU ms per verify: service ${round(verify.extra?.serviceMs ?? Number.NaN, 2)}, postgres ${round(verify.extra?.postgresMs ?? Number.NaN, 2)}, redis ${round(verify.extra?.redisMs ?? Number.NaN, 2)}, machine ${round(verify.extra?.machineBusyMs ?? Number.NaN, 2)}), login ${loginRun.rps.toFixed(1)}/s, first steps ${pending.rps.toFixed(1)}/s`,
    );
  }

  if (ctx.config.profileScenarios) {
    let calls = 0;
    const profile = await profileOne(ctx, 'auth-service', 'mfa-verify', `POST /v1/auth/mfa/verify (TOTP), ${n} pending logins, ${vc} connections`, async (url) => {
      calls += 1;
      const pending = await firstSteps(url, users, c);
      // The warm-up spends recovery codes; the profiled run TOTP codes of a fresh step.
      if (calls === 1) return () => verifyRun(url, pending.tokens, (i) => ({ recoveryCode: users[i]?.recoveryCodes[1] ?? '' }), vc);
      const step = await stepAfter(usedStep);
      usedStep = step;
      const codes = await codesAt(users, step);
      return () => verifyRun(url, pending.tokens, (i) => ({ code: codes[i] ?? '' }), vc);
    });
    ctx.cpuProfiles.push(profile);
  }

  const verifies = rounds.map((r) => r.verify);
  const logins = rounds.map((r) => r.login);
  const ratio = round(pairedRatio(verifies, logins), 2);
  const verifyRps = round(median(verifies.map((r) => r.rps)), 1);
  const loginRps = round(median(logins.map((r) => r.rps)), 1);
  const cpuRatio = round(summary(logins, 'serviceMs') / summary(verifies, 'serviceMs'), 1);
  return {
    scenario: 8,
    title: 'MFA verify (second login step) vs logins',
    figures: [
      figure({ id: 'mfa_verify_rps', scenario: 8, title: `auth-service MFA verifies (TOTP), ${vc} connections`, value: verifyRps, unit: 'verifies/s' }),
      figure({ id: 'mfa_login_rps', scenario: 8, title: `auth-service logins (scenario 2's, ${c} connections), same rounds`, value: loginRps, unit: 'logins/s' }),
      figure({ id: 'mfa_verify_vs_login_ratio', scenario: 8, title: 'ratio MFA verifies / logins', value: ratio, unit: '×', target: { op: '>=', value: 10 } }),
      figure({ id: 'mfa_verify_cpu_ms', scenario: 8, title: 'auth-service CPU per verify (all its threads)', value: summary(verifies, 'serviceMs'), unit: 'ms' }),
      figure({ id: 'mfa_login_vs_verify_cpu_ratio', scenario: 8, title: 'auth-service CPU per login ÷ per verify', value: cpuRatio, unit: '×' }),
      figure({ id: 'mfa_verify_postgres_cpu_ms', scenario: 8, title: "Postgres CPU per verify (the auth database's backends)", value: summary(verifies, 'postgresMs'), unit: 'ms' }),
      figure({ id: 'mfa_verify_redis_cpu_ms', scenario: 8, title: 'Redis server CPU per verify (shared with other users of it)', value: summary(verifies, 'redisMs'), unit: 'ms' }),
      figure({ id: 'mfa_verify_machine_cpu_ms', scenario: 8, title: 'machine CPU per verify (every process, other tenants too)', value: summary(verifies, 'machineBusyMs'), unit: 'ms' }),
    ],
    notes: [
      `Verify: \`POST /v1/auth/mfa/verify\` with an mfaToken and the current TOTP code, one per user (a step once used refuses its codes), ${n} users with TOTP on, ${vc} connections (as the other throughput figures; a verify waits on round trips, not on a CPU like a login's hash), as many requests as pending logins, of which the first ${warmCount} of each round are not timed (ramp-up; runs of ${verifies.map((r) => round(r.durationSec, 1)).join(' / ')} s); the mfaTokens come from one password login per user just before (not timed; ${rounds.map((r) => r.firstStepRps.toFixed(1)).join(' / ')} first steps/s). Each verify reads the token (Redis), the user and the TOTP secret (Postgres), decrypts it, checks the code (otplib), counts the guess on the brute-force throttle (Redis, reserve and settle), spends the step (Postgres), takes the token and opens a session (Redis, a signed access token).`,
      `Logins: scenario 2's \`POST /v1/auth/login\` (a user without MFA, ${c} connections, ${ctx.config.durationSec} s), run right after each verify run; the ratio is the median of the per-round ratios, ratio of medians ${round(verifyRps / loginRps, 2)}. Per-run: verifies ${verifies.map((r) => round(r.rps, 1)).join(' / ')}/s (p50 ${verifies.map((r) => r.p50Ms).join(' / ')} ms), logins ${logins.map((r) => round(r.rps, 1)).join(' / ')}/s.`,
      `CPU per operation (medians, /proc, 10 ms ticks; robust to other load on the machine): verify ${summary(verifies, 'mainThreadMs')} ms main thread + ${summary(verifies, 'libuvThreadsMs')} ms libuv + ${summary(verifies, 'otherThreadsMs')} ms other threads of the auth-service, ${summary(verifies, 'postgresMs')} ms Postgres (the auth database's backends), ${summary(verifies, 'redisMs')} ms Redis (machine ${summary(verifies, 'machineBusyMs')} ms, every process); login ${summary(logins, 'mainThreadMs')} + ${summary(logins, 'libuvThreadsMs')} (argon2) + ${summary(logins, 'otherThreadsMs')} ms, ${summary(logins, 'postgresMs')} ms Postgres, ${summary(logins, 'redisMs')} ms Redis (machine ${summary(logins, 'machineBusyMs')} ms).`,
    ],
    details: { users: n, connections: { verify: vc, login: c }, rounds },
  };
}
