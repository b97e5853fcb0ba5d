// `pnpm bench`: builds and starts both services with production settings on 127.0.0.1, beside a
// bare Fastify hello-world, raw argon2id and better-auth, measures them side by side and writes
// results/latest.md and results/latest.json. Every child process is stopped on the way out.
import { rm } from 'node:fs/promises';
import { loadBenchConfig } from './config.js';
import { ChildRegistry } from './harness/children.js';
import { dropDatabases, freshDatabases, postgresVersion } from './harness/databases.js';
import { benchPassword, login, registerUser } from './harness/fixtures.js';
import { keepAlive } from './harness/http.js';
import { BETTER_AUTH_DB, betterAuthUser, startBetterAuth, startHello } from './harness/peers.js';
import { connectRedis, deleteByPrefix, redisVersionOnce } from './harness/redis.js';
import { AUTH_DB, MEETINGS_DB, REDIS_PREFIX, buildServices, startStack } from './harness/stack.js';
import type { ScenarioResult } from './report/figures.js';
import { machineInfo } from './report/machine.js';
import { toMarkdown, writeReport } from './report/write.js';
import type { BenchContext } from './scenarios/context.js';
import { PROBE, checkProbe } from './scenarios/probe.js';
import { adminChanges } from './scenarios/admin-changes.js';
import { login as loginScenario } from './scenarios/login.js';
import { meetingsList } from './scenarios/meetings-list.js';
import { memory } from './scenarios/memory.js';
import { minimalReferences } from './scenarios/minimal-refs.js';
import { mfaVerify } from './scenarios/mfa-verify.js';
import { peerComparison } from './scenarios/peer.js';
import { pictures } from './scenarios/pictures.js';
import { profiles } from './scenarios/profiles.js';
import type { ServiceProfile } from './scenarios/profiles.js';
import { revocation } from './scenarios/revocation.js';
import { sessionMemory } from './scenarios/session-memory.js';
import { streams } from './scenarios/streams.js';
import { userSync } from './scenarios/user-sync.js';
import { verifiedRequest } from './scenarios/verified-request.js';

const startedAt = performance.now();
const config = loadBenchConfig();
const registry = new ChildRegistry();
const redis = connectRedis(config.redisUrl);
const databases = [AUTH_DB, MEETINGS_DB, BETTER_AUTH_DB];
const log = (msg: string) => console.log(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

const warnings: string[] = [];
const warn = (msg: string) => {
  warnings.push(msg);
  log(`warning: ${msg}`);
};

let cleaning: Promise<void> | undefined;
/** Where the stack's S3 server (a child, stopped with the others) kept its objects. */
let s3Directory: string | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await registry.stopAll();
    if (s3Directory) await rm(s3Directory, { recursive: true, force: true });
    keepAlive.destroy();
    await deleteByPrefix(redis, REDIS_PREFIX).catch((e: unknown) => log(`redis cleanup failed: ${String(e)}`));
    redis.disconnect();
    if (!config.keepDatabases) await dropDatabases(config.postgresUrl, databases).catch((e: unknown) => log(`database cleanup failed: ${String(e)}`));
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every child process`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function setUp(): Promise<BenchContext> {
  if (config.skipBuild) log('BENCH_SKIP_BUILD=1: using the existing dist/ of both services');
  else {
    log('building auth-service and meetings-service (turbo, with their workspace dependencies)');
    await buildServices(registry, config);
  }
  log('fresh databases, migrations, services');
  const urls = await freshDatabases(config.postgresUrl, databases);
  await deleteByPrefix(redis, REDIS_PREFIX);
  const stack = await startStack(registry, config, { authDbUrl: urls[AUTH_DB] ?? '', meetingsDbUrl: urls[MEETINGS_DB] ?? '' }, warn);
  s3Directory = stack.s3.directory;
  const hello = await startHello(registry, config);
  const baArgon = await startBetterAuth(registry, config, urls[BETTER_AUTH_DB] ?? '', 'argon2id');
  const baScrypt = await startBetterAuth(registry, config, urls[BETTER_AUTH_DB] ?? '', 'scrypt');

  const password = benchPassword();
  const user = await registerUser(stack.auth.url, 'bench', password);
  const tokens = await login(stack.auth.url, user);
  await checkProbe(stack.meetings.url, tokens);
  const baUsers = { argon2id: 'argon2id-user@bench.example.com', scrypt: 'scrypt-user@bench.example.com' };
  const { cookie } = await betterAuthUser(baArgon, baUsers.argon2id, password);
  await betterAuthUser(baScrypt, baUsers.scrypt, password);
  return {
    config,
    registry,
    stack,
    hello,
    betterAuth: { argon2id: baArgon, scrypt: baScrypt, cookie, users: baUsers, password },
    user,
    tokens,
    probe: PROBE,
    log,
    cpuProfiles: [],
  };
}

/**
 * The bench user's access token lives 15 minutes and a full run takes longer: every scenario
 * (and the profiles) starts with a token of its own, or the late ones measure 401s.
 */
async function freshTokens(ctx: BenchContext): Promise<void> {
  ctx.tokens = await login(ctx.stack.auth.url, ctx.user);
}

async function main(): Promise<number> {
  const results: ScenarioResult[] = [];
  const failures: { scenario: string; error: string }[] = [];
  let settings: Record<string, string> = {};
  const cpuProfiles: ServiceProfile[] = [];
  try {
    const ctx = await setUp();
    settings = {
      ...ctx.stack.settings,
      'autocannon runs': `${config.runs} × ${config.durationSec} s per figure (medians), ${config.warmupSec} s warm-up`,
      'connections': `${config.httpConnections} (throughput), ${config.loginConnections} (logins / sign-ins)`,
    };
    const scenarios: [string, (c: BenchContext) => Promise<ScenarioResult>][] = [
      ['1 token-verified request', verifiedRequest],
      ['2 login', loginScenario],
      ['3 meetings list', meetingsList],
      ['4 revocation', revocation],
      ['5 session memory', sessionMemory],
      ['7 pictures', pictures],
      ['8 mfa verify', mfaVerify],
      ['9 admin changes', adminChanges],
      ['10 memory', memory],
      ['11 minimal references', minimalReferences],
      ['12 user sync', userSync],
      ['13 streams', streams],
    ];
    const selected = (name: string) => config.only === undefined || config.only.some((o) => name.split(' ')[0] === o || name === o);
    if (config.only) warn(`BENCH_ONLY=${config.only.join(',')}: a partial run`);
    for (const [name, run] of scenarios.filter(([n]) => selected(n))) {
      try {
        await freshTokens(ctx);
        results.push(await run(ctx));
      } catch (error) {
        log(`scenario ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        failures.push({ scenario: name, error: error instanceof Error ? error.message : String(error) });
      }
    }
    cpuProfiles.push(...ctx.cpuProfiles);
    const peer = peerComparison(results);
    if (peer) results.push(peer);
    if (selected('profiles')) {
      try {
        await freshTokens(ctx);
        cpuProfiles.push(...(await profiles(ctx)));
      } catch (error) {
        failures.push({ scenario: 'profiles', error: error instanceof Error ? error.message : String(error) });
      }
    }
  } catch (error) {
    log(`set-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    failures.push({ scenario: 'set-up', error: error instanceof Error ? error.message : String(error) });
  } finally {
    await cleanUp();
  }
  results.sort((a, b) => a.scenario - b.scenario);
  const report = {
    generatedAt: new Date().toISOString(),
    wallTimeSec: Math.round((performance.now() - startedAt) / 1000),
    machine: await machineInfo(config, await postgresVersion(config.postgresUrl).catch(() => 'unknown'), await redisVersionOnce(config.redisUrl)),
    settings,
    scenarios: results,
    profiles: cpuProfiles,
    warnings,
    failures,
  };
  const files = await writeReport(config.resultsDir, report);
  console.log(`\n${toMarkdown(report)}`);
  log(`wrote ${files.md} and ${files.json}`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
