import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The bench's only reader of the environment (BENCH_* knobs; everything else is fixed below). */
export interface BenchConfig {
  repoRoot: string;
  benchRoot: string;
  resultsDir: string;
  /** Seconds per measured autocannon run. */
  durationSec: number;
  /** Measured runs per figure; medians are reported. */
  runs: number;
  /** Seconds of unmeasured warm-up before each series. */
  warmupSec: number;
  /** Connections for the throughput figures (1, 6: ours, bare Fastify, better-auth get-session). */
  httpConnections: number;
  /** Connections for the login figures (2, 6: ours, better-auth sign-in). */
  loginConnections: number;
  /** Concurrent logins of the memory flood (2). */
  floodLogins: number;
  revocationTrials: number;
  /** Role changes, and as many disables, of scenario 9 (one user each). */
  adminChangeTrials: number;
  sessionsForMemory: number;
  /** argon2id hashes at once in the auth-service (ARGON2_MAX_CONCURRENCY) and in the raw run. */
  argon2MaxConcurrency: number;
  /** Images decoded at once in the auth-service (AVATAR_MAX_CONCURRENCY) and in the raw sharp run. */
  avatarMaxConcurrency: number;
  /**
   * Connections for the upload throughput figure (7). An image slot is held only while an
   * upload is decoded; its body read, orphan guard, S3 PUT and commit happen outside it, so
   * keeping both slots busy takes uploads waiting in the queue: default 4 × the image cap.
   */
  uploadConnections: number;
  /** Uploads per measured run of figure 7 (a count, not a duration: no upload cut off at the end). */
  uploadsPerRun: number;
  /** Concurrent uploads of the memory flood (7). */
  floodUploads: number;
  /** Seconds of each sustained load of the memory figures (10); 30 as in issue 17. */
  memoryLoadSec: number;
  /** Users with TOTP on for the MFA verify figure (8): one verify each per round. */
  mfaUsers: number;
  /** libuv threadpool of every process that hashes (UV_THREADPOOL_SIZE). */
  threadpoolSize: number;
  /** User changes per second of the sync-lag figure (10), for syncDurationSec seconds. */
  syncRate: number;
  syncDurationSec: number;
  /** Pending outbox rows the relay drains at once (10). */
  drainRows: number;
  /** Open event streams (11), one user each, spread over streamMeetings meetings. */
  streams: number;
  streamMeetings: number;
  /** Rounds of one event per meeting (11). */
  streamRounds: number;
  /** Sizes of `pnpm bench:scale` (src/scale.ts). */
  scale: { users: number; meetings: number; participations: number };
  /** Extra auth-service settings taken from BENCH_OUTBOX_* (the relay's batch size and concurrency). */
  authEnv: Record<string, string>;
  skipBuild: boolean;
  /** BENCH_PROFILE=1: scenarios 7 and 8 also profile the auth-service under their own load. */
  profileScenarios: boolean;
  /** BENCH_ONLY=1,3,profiles: run only these parts (for working on the bench; the report says so). */
  only: string[] | undefined;
  keepDatabases: boolean;
  postgresUrl: string;
  redisUrl: string;
  cores: number;
  /** The only parent variables handed to child processes (no npm_* noise, no credentials). */
  inheritedEnv: Record<string, string>;
}

// OTEL_*: `OTEL_EXPORTER_OTLP_ENDPOINT=... pnpm bench` measures the services with tracing on.
const INHERITED = [
  'PATH',
  'HOME',
  'LANG',
  'TZ',
  'PRISMA_SCHEMA_ENGINE_BINARY',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
];

function int(env: Record<string, string | undefined>, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return value;
}

/** Every byte of traffic stays on this machine: refuse any URL that is not loopback. */
export function assertLoopback(url: string): string {
  const host = new URL(url).hostname;
  if (host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)) return url;
  throw new Error(`bench traffic must stay on 127.0.0.1; refusing ${host}`);
}

export function loadBenchConfig(env: Record<string, string | undefined> = process.env): BenchConfig {
  const benchRoot = fileURLToPath(new URL('..', import.meta.url));
  const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
  return {
    repoRoot,
    benchRoot,
    resultsDir: env.BENCH_RESULTS_DIR ?? `${benchRoot}results`,
    durationSec: int(env, 'BENCH_DURATION_SEC', 10),
    runs: int(env, 'BENCH_RUNS', 3),
    warmupSec: int(env, 'BENCH_WARMUP_SEC', 2, 0),
    httpConnections: int(env, 'BENCH_HTTP_CONNECTIONS', 50),
    loginConnections: int(env, 'BENCH_LOGIN_CONNECTIONS', 16),
    floodLogins: int(env, 'BENCH_FLOOD_LOGINS', 200),
    revocationTrials: int(env, 'BENCH_REVOCATION_TRIALS', 300),
    adminChangeTrials: int(env, 'BENCH_ADMIN_CHANGE_TRIALS', 100),
    sessionsForMemory: int(env, 'BENCH_SESSIONS', 100_000),
    argon2MaxConcurrency: int(env, 'BENCH_ARGON2_MAX_CONCURRENCY', 4),
    threadpoolSize: int(env, 'BENCH_UV_THREADPOOL_SIZE', 4),
    avatarMaxConcurrency: int(env, 'BENCH_AVATAR_MAX_CONCURRENCY', 2),
    uploadConnections: int(env, 'BENCH_UPLOAD_CONNECTIONS', 4 * int(env, 'BENCH_AVATAR_MAX_CONCURRENCY', 2)),
    uploadsPerRun: int(env, 'BENCH_UPLOADS_PER_RUN', 150),
    floodUploads: int(env, 'BENCH_FLOOD_UPLOADS', 50),
    mfaUsers: int(env, 'BENCH_MFA_USERS', 2000),
    memoryLoadSec: int(env, 'BENCH_MEMORY_LOAD_SEC', 30),
    syncRate: int(env, 'BENCH_SYNC_RATE', 200),
    syncDurationSec: int(env, 'BENCH_SYNC_DURATION_SEC', 30),
    drainRows: int(env, 'BENCH_DRAIN_ROWS', 100_000),
    streams: int(env, 'BENCH_STREAMS', 5_000),
    streamMeetings: int(env, 'BENCH_STREAM_MEETINGS', 100),
    streamRounds: int(env, 'BENCH_STREAM_ROUNDS', 5),
    scale: {
      users: int(env, 'BENCH_SCALE_USERS', 1_000_000),
      meetings: int(env, 'BENCH_SCALE_MEETINGS', 1_000_000),
      participations: int(env, 'BENCH_SCALE_PARTICIPATIONS', 5_000_000),
    },
    authEnv: Object.fromEntries(
      (['OUTBOX_BATCH_SIZE', 'OUTBOX_CONCURRENCY'] as const).flatMap((name) => {
        const value = env[`BENCH_${name}`];
        return value === undefined || value === '' ? [] : [[name, String(int(env, `BENCH_${name}`, 1))]];
      }),
    ),
    skipBuild: env.BENCH_SKIP_BUILD === '1',
    profileScenarios: env.BENCH_PROFILE === '1',
    only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((s) => s.trim()) : undefined,
    keepDatabases: env.BENCH_KEEP_DATABASES === '1',
    postgresUrl: assertLoopback(env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432'),
    redisUrl: assertLoopback(env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'),
    cores: availableParallelism(),
    inheritedEnv: Object.fromEntries(
      INHERITED.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])),
    ) as Record<string, string>,
  };
}

/**
 * Settings of a peer server process the harness starts (bare Fastify, raw argon2id,
 * better-auth), from the environment the harness gave it. Missing required ones fail at once.
 */
export function peerEnv(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`peer server: ${name} is required`);
  return value;
}
