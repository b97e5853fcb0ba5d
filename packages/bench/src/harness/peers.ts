import { join } from 'node:path';
import type { BenchConfig } from '../config.js';
import type { ChildRegistry, RunningChild } from './children.js';
import { runToCompletion } from './children.js';
import { http, waitForHttp, waitForStatus } from './http.js';
import { randomSecret } from './keys.js';
import type { LoadResult } from './load.js';
import { freePort } from './ports.js';
import { RUN_ID } from './run-id.js';
import { heapFlags, REDIS_PREFIX } from './stack.js';
import type { Stack } from './stack.js';

export const BETTER_AUTH_DB = `authmeet_bench_betterauth_${RUN_ID}`;

const server = (config: BenchConfig, file: string) => ({
  command: process.execPath,
  args: ['--import', 'tsx', join(config.benchRoot, 'src', 'servers', file)],
  cwd: config.benchRoot,
});

export interface Peer {
  url: string;
  child: RunningChild;
}

export async function startHello(registry: ChildRegistry, config: BenchConfig): Promise<Peer> {
  const port = await freePort();
  const child = registry.start({
    name: 'hello-fastify',
    ...server(config, 'hello-fastify.ts'),
    env: { ...config.inheritedEnv, NODE_ENV: 'production', PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, child);
  return { url, child };
}

/**
 * servers/bare-sse.ts with the meetings-service's V8 flags and allocator settings (as its image
 * gives them) and the inspector on `inspectPort`: the floor for scenario 13's memory per stream.
 */
export async function startBareStreams(registry: ChildRegistry, config: BenchConfig, stack: Stack, inspectPort: number): Promise<Peer> {
  const port = await freePort();
  const memory = stack.memory['meetings-service'];
  const base = server(config, 'bare-sse.ts');
  const child = registry.start({
    name: 'bare-sse',
    ...base,
    args: [...heapFlags(memory), `--inspect=127.0.0.1:${inspectPort}`, ...base.args],
    env: { ...config.inheritedEnv, ...memory.env, NODE_ENV: 'production', PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/ready`, child);
  return { url, child };
}

export interface MinimalRefs {
  /** servers/minimal-meetings.ts: `GET /v1/meetings`. */
  meetings: Peer;
  /** servers/minimal-auth.ts: `GET /v1/auth/me`, `POST /v1/auth/refresh`. */
  auth: Peer;
}

/** The minimal references, on the services' databases, Redis prefix and keys (issue 17, item 1). */
export async function startMinimalRefs(registry: ChildRegistry, config: BenchConfig, stack: Stack): Promise<MinimalRefs> {
  const start = async (name: string, file: string, env: Record<string, string>): Promise<Peer> => {
    const port = await freePort();
    const child = registry.start({
      name,
      ...server(config, file),
      env: { ...config.inheritedEnv, NODE_ENV: 'production', PORT: String(port), REDIS_URL: config.redisUrl, REDIS_KEY_PREFIX: REDIS_PREFIX, ...env },
    });
    return { url: `http://127.0.0.1:${port}`, child };
  };
  const meetings = await start('minimal-meetings', 'minimal-meetings.ts', { DATABASE_URL: stack.shared.meetingsDbUrl, AUTH_JWKS_URL: `${stack.auth.url}/.well-known/jwks.json` });
  const auth = await start('minimal-auth', 'minimal-auth.ts', { DATABASE_URL: stack.shared.authDbUrl, JWT_PRIVATE_JWKS: stack.shared.signingJwks });
  // Without a token both answer 401: up.
  await Promise.all([waitForStatus(`${meetings.url}/v1/meetings`, meetings.child, 401), waitForStatus(`${auth.url}/v1/auth/me`, auth.child, 401)]);
  return { meetings, auth };
}

export async function startBetterAuth(registry: ChildRegistry, config: BenchConfig, databaseUrl: string, hasher: 'argon2id' | 'scrypt'): Promise<Peer> {
  const port = await freePort();
  const child = registry.start({
    name: `better-auth-${hasher}`,
    ...server(config, 'better-auth-server.ts'),
    env: {
      ...config.inheritedEnv,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_SECRET: randomSecret(32),
      HASHER: hasher,
      UV_THREADPOOL_SIZE: String(config.threadpoolSize),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  // Any answer from the auth handler means it is up (get-session without a cookie is 200 null).
  await waitForHttp(`${url}/api/auth/get-session`, child, 60_000);
  return { url, child };
}

/** Signs a user up on better-auth and returns its session cookie. */
export async function betterAuthUser(peer: Peer, email: string, password: string): Promise<{ cookie: string }> {
  const res = await http(`${peer.url}/api/auth/sign-up/email`, { method: 'POST', json: { email, password, name: 'Bench User' } });
  if (res.status !== 200) throw new Error(`better-auth sign-up answered ${res.status}: ${res.body.slice(0, 300)}`);
  const setCookie = res.headers['set-cookie'];
  const cookies = Array.isArray(setCookie) ? setCookie : typeof setCookie === 'string' ? [setCookie] : [];
  const session = cookies.map((c) => c.split(';')[0] ?? '').find((c) => c.includes('session_token='));
  if (!session) throw new Error('better-auth sign-up set no session cookie');
  return { cookie: session };
}

interface RawRun {
  /** Operations done in the measured window. */
  ops: number;
  seconds: number;
  cpuMs: number;
}

/**
 * Runs one of the bare peers in src/servers for `durationSec` in a fresh process and reads its
 * `RESULT {...}` line: a rate with no HTTP, no database, nothing but the library.
 */
async function rawPeer(registry: ChildRegistry, config: BenchConfig, file: string, env: Record<string, string>, durationSec: number): Promise<LoadResult> {
  const spec = {
    name: file.replace(/\.ts$/, ''),
    ...server(config, file),
    env: { ...config.inheritedEnv, NODE_ENV: 'production', UV_THREADPOOL_SIZE: String(config.threadpoolSize), DURATION_MS: String(durationSec * 1000), WARMUP_MS: '500', ...env },
  };
  const running = await runToCompletion(registry, spec, durationSec * 1000 + 30_000);
  const line = running.tail().split('\n').find((l) => l.startsWith('RESULT ')) ?? '';
  if (!line) throw new Error(`${file} printed no result\n${running.tail()}`);
  const parsed = JSON.parse(line.slice('RESULT '.length)) as RawRun;
  return {
    rps: parsed.ops / parsed.seconds,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
    ok: parsed.ops,
    durationSec: parsed.seconds,
    extra: { cpuMsPerOp: parsed.cpuMs / parsed.ops },
  };
}

/** One raw argon2id run in a fresh process with the auth-service's threadpool and hash cap. */
export const rawArgon2 = (registry: ChildRegistry, config: BenchConfig, durationSec: number) =>
  rawPeer(registry, config, 'argon2-raw.ts', { CONCURRENCY: String(config.argon2MaxConcurrency) }, durationSec);

/** One raw sharp run: the auth-service's picture pipeline on `file`, its image cap in flight, nothing else. */
export const rawSharp = (registry: ChildRegistry, config: BenchConfig, file: string, durationSec: number) =>
  rawPeer(registry, config, 'sharp-raw.ts', { CONCURRENCY: String(config.avatarMaxConcurrency), PICTURE_FILE: file }, durationSec);
