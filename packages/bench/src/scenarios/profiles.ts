import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { bearer } from '../harness/fixtures.js';
import { profileDuring } from '../harness/inspector.js';
import { runLoad } from '../harness/load.js';
import type { LoadResult, LoadSpec } from '../harness/load.js';
import { freePort } from '../harness/ports.js';
import type { ServiceName } from '../harness/stack.js';
import { summarizeProfile } from '../report/cpu-profile.js';
import type { ProfileSummary } from '../report/cpu-profile.js';
import type { BenchContext } from './context.js';
import { listFixture } from './meetings-list.js';

export interface ServiceProfile {
  service: ServiceName;
  load: string;
  file: string;
  rpsWhileProfiled: number;
  summary: ProfileSummary;
}

/**
 * Restarts `svc` with the inspector on 127.0.0.1, warms it up, samples its CPU (V8 profiler,
 * 0.5 ms interval) during one measured run only, then restarts it without the inspector.
 * `prepare` readies one run against the restarted service's URL (outside the profile: fixtures
 * such as pending logins) and returns it; it is called twice, to warm up and to profile.
 */
export async function profileOne(
  ctx: BenchContext,
  svc: ServiceName,
  slug: string,
  label: string,
  prepare: (url: string, durationSec: number) => Promise<() => Promise<LoadResult>>,
): Promise<ServiceProfile> {
  const dir = join(ctx.config.resultsDir, 'profiles');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${svc}-${slug}.cpuprofile`);
  const port = await freePort();
  const service = await ctx.stack.restart(svc, [`--inspect=127.0.0.1:${port}`]);
  try {
    await (await prepare(service.url, Math.max(ctx.config.warmupSec, 2)))();
    const run = await prepare(service.url, ctx.config.durationSec);
    const { result, profileJson } = await profileDuring(port, run);
    await writeFile(file, profileJson);
    return { service: svc, load: label, file: basename(file), rpsWhileProfiled: Math.round(result.rps), summary: await summarizeProfile(file) };
  } finally {
    await ctx.stack.restart(svc, []);
  }
}

/** A profiled load that is one autocannon run of `spec`. */
export const fromSpec =
  (spec: (url: string) => LoadSpec) =>
  (url: string, durationSec: number): Promise<() => Promise<LoadResult>> =>
    Promise.resolve(() => runLoad({ ...spec(url), durationSec }));

/** Where the CPU goes on the hot paths that miss their targets most often. */
export async function profiles(ctx: BenchContext): Promise<ServiceProfile[]> {
  ctx.log('profiles: meetings-service under the probe and the 20-row list, auth-service under /me and logins (V8 profiler via the inspector)');
  const meetings = await profileOne(ctx, 'meetings-service', 'probe', `${ctx.probe.method} ${ctx.probe.path}, ${ctx.config.httpConnections} connections`, fromSpec((url) => ({
    url: `${url}${ctx.probe.path}`,
    headers: bearer(ctx.tokens),
    connections: ctx.config.httpConnections,
  })));
  const auth = await profileOne(ctx, 'auth-service', 'login', `POST /v1/auth/login, ${ctx.config.loginConnections} connections`, fromSpec((url) => ({
    url: `${url}/v1/auth/login`,
    method: 'POST',
    json: { identifier: ctx.user.username, password: ctx.user.password },
    connections: ctx.config.loginConnections,
  })));
  const me = await profileOne(ctx, 'auth-service', 'me', `GET /v1/auth/me, ${ctx.config.httpConnections} connections`, fromSpec((url) => ({
    url: `${url}/v1/auth/me`,
    headers: bearer(ctx.tokens),
    connections: ctx.config.httpConnections,
  })));
  const listTokens = await listFixture(ctx);
  const list = await profileOne(ctx, 'meetings-service', 'list', `GET /v1/meetings (20 rows), ${ctx.config.httpConnections} connections`, fromSpec((url) => ({
    url: `${url}/v1/meetings`,
    headers: bearer(listTokens),
    connections: ctx.config.httpConnections,
  })));
  return [meetings, list, me, auth];
}
