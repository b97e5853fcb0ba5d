import { diffCpu, machineBusyMs, threadCpu } from '../harness/cpu.js';
import { autocannonMeasure, interleaved, runLoad } from '../harness/load.js';
import type { Measure } from '../harness/load.js';
import { rawArgon2 } from '../harness/peers.js';
import { memoryStatus, sampleRss } from '../harness/proc.js';
import { pairedRatio, round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';
import { series } from './context.js';

/**
 * Wraps a login run with CPU accounting: the auth-service's threads (argon2 runs on libuv
 * workers, everything else of a login on the main thread) and the whole machine, per login.
 */
function withCpu(pid: number, measure: Measure): Measure {
  return async (sec) => {
    const [threads0, busy0] = [await threadCpu(pid), await machineBusyMs()];
    const r = await measure(sec);
    const [threads1, busy1] = [await threadCpu(pid), await machineBusyMs()];
    const d = diffCpu(threads0, threads1);
    const per = (ms: number) => ms / Math.max(1, r.ok);
    return {
      ...r,
      extra: {
        argon2ThreadsMsPerLogin: per(d.libuvMs),
        mainThreadMsPerLogin: per(d.mainMs),
        otherThreadsMsPerLogin: per(d.otherMs),
        machineBusyMsPerLogin: per(busy1 - busy0),
      },
    };
  };
}

/** 2 (and the sign-in half of 6): logins/s vs raw argon2id/s, better-auth sign-in, peak RSS under a flood. */
export async function login(ctx: BenchContext): Promise<ScenarioResult> {
  const c = ctx.config.loginConnections;
  const cap = ctx.config.argon2MaxConcurrency;
  ctx.log(`2/6 login vs raw argon2id (cap ${cap}, threadpool ${ctx.config.threadpoolSize}), better-auth sign-in, ${c} connections`);
  const loginBody = { identifier: ctx.user.username, password: ctx.user.password };
  const signIn = (url: string, email: string) =>
    autocannonMeasure({ url: `${url}/api/auth/sign-in/email`, method: 'POST', json: { email, password: ctx.betterAuth.password }, connections: c });
  const s = await interleaved(
    {
      ourLogin: withCpu(ctx.stack.auth.child.pid, autocannonMeasure({ url: `${ctx.stack.auth.url}/v1/auth/login`, method: 'POST', json: loginBody, connections: c })),
      rawArgon2: (sec) => rawArgon2(ctx.registry, ctx.config, sec),
      betterAuthArgon2id: signIn(ctx.betterAuth.argon2id.url, ctx.betterAuth.users.argon2id),
      betterAuthScrypt: signIn(ctx.betterAuth.scrypt.url, ctx.betterAuth.users.scrypt),
    },
    series(ctx),
  );
  const ratio = round(pairedRatio(s.ourLogin.runs, s.rawArgon2.runs), 3);

  const flood = ctx.config.floodLogins;
  ctx.log(`2/6 flood: ${flood} concurrent logins, sampling the auth-service's RSS`);
  const pid = ctx.stack.auth.child.pid;
  const before = await memoryStatus(pid);
  const sampled = await sampleRss(
    pid,
    25,
    runLoad({ url: `${ctx.stack.auth.url}/v1/auth/login`, method: 'POST', json: loginBody, connections: flood, amount: flood, timeoutSec: 120 }),
  );
  const after = await memoryStatus(pid);
  const peakMiB = round(Math.max(sampled.peakRssKiB, after.hwmKiB) / 1024, 1);
  const mib = (kib: number) => round(kib / 1024, 1);

  return {
    scenario: 2,
    title: 'Login vs raw argon2id; RSS under a login flood',
    figures: [
      figure({ id: 'login_rps', scenario: 2, title: 'auth-service logins', value: s.ourLogin.rps, unit: 'logins/s' }),
      figure({ id: 'raw_argon2_rps', scenario: 2, title: `raw argon2id verifications (m=19456 KiB, t=2, p=1; ${cap} in flight)`, value: s.rawArgon2.rps, unit: 'verifications/s' }),
      figure({ id: 'login_vs_argon2_ratio', scenario: 2, title: 'ratio logins / raw argon2id', value: ratio, unit: '×', target: { op: '>=', value: 0.9 } }),
      figure({ id: 'flood_peak_rss_mib', scenario: 2, title: `auth-service peak RSS under ${flood} concurrent logins (cap ${cap})`, value: peakMiB, unit: 'MiB' }),
      figure({ id: 'better_auth_sign_in_argon2id_rps', scenario: 6, title: 'better-auth sign-in, argon2id with our parameters', value: s.betterAuthArgon2id.rps, unit: 'sign-ins/s' }),
      figure({ id: 'better_auth_sign_in_scrypt_rps', scenario: 6, title: 'better-auth sign-in, its default scrypt', value: s.betterAuthScrypt.rps, unit: 'sign-ins/s' }),
    ],
    notes: [
      `Logins: \`POST /v1/auth/login\` with a correct password, ${c} connections; raw: a separate Node process verifying with the same \`argon2\` package, ${cap} verifications in flight, UV_THREADPOOL_SIZE=${ctx.config.threadpoolSize} (the auth-service runs with ARGON2_MAX_CONCURRENCY=${cap} and the same threadpool).`,
      `The ratio is the median of the per-round ratios (each round ran logins and raw argon2id back to back); the ratio of the medians is ${round(s.ourLogin.rps / s.rawArgon2.rps, 3)}. Per-run: logins ${s.ourLogin.runs.map((r) => r.rps).join(' / ')}/s, raw ${s.rawArgon2.runs.map((r) => r.rps).join(' / ')}/s.`,
      `Login latency at ${c} connections: p50 ${s.ourLogin.p50Ms} ms, p99 ${s.ourLogin.p99Ms} ms.`,
      `CPU per login (medians, /proc, 10 ms ticks): ${s.ourLogin.extra.argon2ThreadsMsPerLogin} ms in the argon2 (libuv) threads, ${s.ourLogin.extra.mainThreadMsPerLogin} ms on the auth-service main thread, ${s.ourLogin.extra.otherThreadsMsPerLogin} ms in its V8 helper threads; the whole machine was busy ${s.ourLogin.extra.machineBusyMsPerLogin} ms per login (every process: auth-service, Postgres, Redis, autocannon, and other tenants of this machine). Raw argon2id: ${s.rawArgon2.extra.cpuMsPerOp} ms CPU per verification. With ${ctx.config.cores} cores and hashing already filling them, every CPU millisecond spent outside argon2 is taken from it: the ratio cannot exceed argon2 CPU / machine CPU per login.`,
      `Flood: ${flood} logins sent at once on ${flood} connections; all answered 200 in ${round(sampled.result.durationSec, 1)} s (p50 ${sampled.result.p50Ms} ms, p99 ${sampled.result.p99Ms} ms). RSS before ${mib(before.rssKiB)} MiB, peak sampled VmRSS ${mib(sampled.peakRssKiB)} MiB (${sampled.samples} samples every 25 ms), VmHWM after ${mib(after.hwmKiB)} MiB. Hash memory is bounded by the cap: ${cap} × 19 MiB = ${round((cap * 19456) / 1024, 1)} MiB at most.`,
    ],
    details: { connections: c, argon2MaxConcurrency: cap, threadpoolSize: ctx.config.threadpoolSize, series: s, flood: { logins: flood, before, after, peakRssKiB: sampled.peakRssKiB, result: sampled.result } },
  };
}
