import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
// The auth-service's own repository: the exact Redis commands a login issues for a session.
import { createSessionsRepository, sessionKey, userSessionsKey } from '@authmeet/auth-service/sessions-repository';
import { freePort } from '../harness/ports.js';
import { deleteByPrefix, usedMemory } from '../harness/redis.js';
import { round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { ScenarioResult } from '../report/figures.js';
import type { BenchContext } from './context.js';

/** Dedicated prefix, 5 bytes longer than production's default `am:` (2 keys → +10 bytes/session). */
const PREFIX = 'amb-mem:';
/** A current desktop Chrome user agent (111 bytes): what most sessions will carry. */
const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const BATCH = 1_000;
const SAMPLE = 1_000;
const ROTATIONS = 8;
const DAY_MS = 86_400_000;

interface Created {
  userId: string;
  id: string;
  refreshHash: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/** The repository as the auth-service builds it (revocations last as long as a 15-min token + skew). */
const repository = (redis: Redis) => createSessionsRepository(redis, { keyPrefix: PREFIX, revocationTtlSec: 960 });
/** A salt shaped like the service's (128 bits, base64url). */
const salt = () => sha(randomUUID()).slice(0, 22);

async function fill(redis: Redis, count: number, userAgent: string): Promise<Created[]> {
  const repo = repository(redis);
  const now = Date.now();
  const created: Created[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, () => ({ userId: randomUUID(), id: randomUUID(), refreshHash: sha(randomUUID()) }));
    await Promise.all(
      batch.map((s) =>
        repo.create({ ...s, salt: salt(), authn: { amr: ['pwd'], acr: 'aal1', authTime: now }, now, expiresAt: now + 7 * DAY_MS, absoluteExpiresAt: now + 30 * DAY_MS, ip: '203.0.113.7', userAgent }),
      ),
    );
    created.push(...batch);
  }
  return created;
}

/** MEMORY USAGE of a session's two keys (hash + index), averaged over a sample, and the hash encoding. */
async function inspect(plain: Redis, sample: readonly Created[]) {
  let bytes = 0;
  const encodings = new Map<string, number>();
  for (const s of sample) {
    const h = (await plain.memory('USAGE', PREFIX + sessionKey(s.userId, s.id), 'SAMPLES', 0)) ?? 0;
    const z = (await plain.memory('USAGE', PREFIX + userSessionsKey(s.userId), 'SAMPLES', 0)) ?? 0;
    bytes += h + z;
    const enc = String(await plain.object('ENCODING', PREFIX + sessionKey(s.userId, s.id)));
    encodings.set(enc, (encodings.get(enc) ?? 0) + 1);
  }
  return { bytesPerSession: round(bytes / sample.length, 1), encodings: Object.fromEntries(encodings) };
}

async function rotateAll(redis: Redis, sample: Created[]): Promise<void> {
  const repo = repository(redis);
  for (const s of sample) {
    let current = s.refreshHash;
    for (let i = 0; i < ROTATIONS; i += 1) {
      const next = sha(randomUUID());
      const { redisNow, salt: sessionSalt } = await repo.rotationContext(s.userId, s.id);
      const r = await repo.rotate({
        userId: s.userId,
        sessionId: s.id,
        presentedHash: current,
        successorHash: next,
        salt: sessionSalt ?? '',
        now: Date.now(),
        refreshTtlMs: 7 * DAY_MS,
        graceMs: 10_000,
        deadline: redisNow + 1_000,
      });
      if (r.status !== 'ok') throw new Error(`rotate answered ${r.status}`);
      current = next;
    }
  }
}

async function measure(ctx: BenchContext, redis: Redis, plain: Redis, label: string, userAgent: string) {
  await deleteByPrefix(plain, PREFIX);
  const n = ctx.config.sessionsForMemory;
  const before = await usedMemory(plain);
  const created = await fill(redis, n, userAgent);
  const after = await usedMemory(plain);
  const sample = created.filter((_, i) => i % Math.max(1, Math.floor(n / SAMPLE)) === 0).slice(0, SAMPLE);
  const fresh = await inspect(plain, sample);
  await rotateAll(redis, sample);
  const rotated = await inspect(plain, sample);
  await deleteByPrefix(plain, PREFIX);
  const perSession = round((after - before) / n, 1);
  ctx.log(`  ${label}: ${perSession} B/session (INFO used_memory), MEMORY USAGE ${fresh.bytesPerSession} B fresh, ${rotated.bytesPerSession} B after ${ROTATIONS} rotations`);
  return { label, userAgentBytes: userAgent.length, sessions: n, usedMemoryBefore: before, usedMemoryAfter: after, perSession, fresh, rotated };
}

/**
 * The Redis setting the deployment ships (docker-compose.yml, k8s/overlays/dev/redis.yaml, and the
 * README for managed Redis): session hashes carry a browser user agent and the rotated-hash list,
 * both longer than Redis' default 64-byte listpack limit, which would store every session as a
 * hashtable at about twice the memory.
 */
const DEPLOYMENT_REDIS_ARGS = ['--hash-max-listpack-value', '256'];

/** A private redis-server: exact used_memory (no other tenant) and the deployment's settings. */
async function privateRedis(ctx: BenchContext, name: string, extraArgs: string[]) {
  const port = await freePort();
  ctx.registry.start({
    name,
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    cwd: process.cwd(),
    env: ctx.config.inheritedEnv,
  });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  for (let i = 0; i < 100; i += 1) {
    if (await probe.connect().then(() => true, () => false)) break;
    await delay(50);
  }
  probe.disconnect();
  return { url, stop: () => ctx.registry.stop(name) };
}

/** 5: Redis bytes per session, 100k sessions written through the auth-service's repository. */
export async function sessionMemory(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.config.sessionsForMemory;
  ctx.log(`5/6 Redis memory per session: ${n} sessions through createSessionsRepository().create()`);
  const deployed = await privateRedis(ctx, 'redis-deployment-config', DEPLOYMENT_REDIS_ARGS);
  const redis = new Redis(deployed.url, { keyPrefix: PREFIX, maxRetriesPerRequest: 2 });
  const plain = new Redis(deployed.url, { maxRetriesPerRequest: 2 });
  const stock = await privateRedis(ctx, 'redis-stock-config', []);
  const stockRedis = new Redis(stock.url, { keyPrefix: PREFIX, maxRetriesPerRequest: 2 });
  const stockPlain = new Redis(stock.url, { maxRetriesPerRequest: 2 });
  try {
    const browser = await measure(ctx, redis, plain, `browser user agent (${BROWSER_UA.length} B)`, BROWSER_UA);
    const shortUa = BROWSER_UA.slice(0, 64);
    const short = await measure(ctx, redis, plain, 'user agent cut to 64 B', shortUa);
    const stockBrowser = await measure(ctx, stockRedis, stockPlain, 'Redis defaults, browser user agent', BROWSER_UA);
    const listpackMax = (await plain.config('GET', 'hash-max-listpack-value')) as string[];
    return {
      scenario: 5,
      title: 'Redis memory per session',
      figures: [
        figure({ id: 'session_bytes', scenario: 5, title: `bytes per session (${n} sessions, browser user agent)`, value: browser.perSession, unit: 'B', target: { op: '<=', value: 1024 } }),
        figure({ id: 'session_bytes_short_ua', scenario: 5, title: 'bytes per session, user agent cut to 64 B', value: short.perSession, unit: 'B' }),
        figure({ id: 'session_bytes_rotated', scenario: 5, title: `MEMORY USAGE per session after ${ROTATIONS} refresh rotations (browser UA)`, value: browser.rotated.bytesPerSession, unit: 'B' }),
        figure({ id: 'session_bytes_stock_redis', scenario: 5, title: 'bytes per session on a Redis with default settings (browser UA)', value: stockBrowser.perSession, unit: 'B' }),
      ],
      notes: [
        `Sessions written with \`createSessionsRepository(redis).create()\` from services/auth-service (one MULTI: HSET of 9 fields, PEXPIREAT, ZADD, ZREMRANGEBYSCORE, PEXPIREAT), one user per session (so each session also has its own \`sessions:{u:…}\` index: the worst case), under the dedicated prefix \`${PREFIX}\`; measured as the change of \`INFO memory\` used_memory over ${n} sessions, then deleted.`,
        `Cross-check with MEMORY USAGE over ${SAMPLE} sessions (hash + index): ${browser.fresh.bytesPerSession} B with the browser UA (hash encodings ${JSON.stringify(browser.fresh.encodings)}), ${short.fresh.bytesPerSession} B with a 64 B UA (${JSON.stringify(short.fresh.encodings)}); after ${ROTATIONS} rotations ${browser.rotated.bytesPerSession} B / ${short.rotated.bytesPerSession} B (${JSON.stringify(browser.rotated.encodings)}).`,
        `Measured on a private redis-server started with the deployment's settings (\`${DEPLOYMENT_REDIS_ARGS.join(' ')}\`, as in docker-compose.yml and k8s; hash-max-listpack-value = ${listpackMax[1] ?? '?'}), so used_memory has no other tenant. With Redis' default of 64 a hash with any longer value (a browser user agent, the rotated-hash list) is a hashtable: ${stockBrowser.perSession} B per session (MEMORY USAGE ${stockBrowser.fresh.bytesPerSession} B, ${JSON.stringify(stockBrowser.fresh.encodings)}).`,
      ],
      details: { browser, short, stockBrowser, listpackMax: listpackMax[1] },
    };
  } finally {
    for (const client of [redis, plain, stockRedis, stockPlain]) client.disconnect();
    await deployed.stop();
    await stock.stop();
  }
}
