import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_S3_CREDENTIALS } from '@authmeet/dev-s3';
import type { BenchConfig } from '../config.js';
import type { ChildRegistry, RunningChild } from './children.js';
import { runToCompletion } from './children.js';
import { deploymentMemory } from './deployment.js';
import type { DeploymentMemory, ServiceName } from './deployment.js';
import { waitForHttp } from './http.js';
import { generateSigningJwks, randomSecret } from './keys.js';
import { freePort } from './ports.js';
import { RUN_ID } from './run-id.js';

export const AUTH_DB = `authmeet_bench_auth_${RUN_ID}`;
export const MEETINGS_DB = `authmeet_bench_meetings_${RUN_ID}`;
/** Every key and channel the services write during the bench lives under this prefix. */
export const REDIS_PREFIX = `authmeet-bench:${RUN_ID}:`;
/** Start-up builds the password dictionaries and compiles Prisma's query compiler: slow on a busy machine. */
const START_TIMEOUT_MS = 90_000;
/** Effectively no per-IP limit: every request of the bench comes from 127.0.0.1. */
const HIGH_LIMIT = '1000000000';

export interface Service {
  url: string;
  child: RunningChild;
}

export type { ServiceName } from './deployment.js';

export interface Stack {
  auth: Service;
  meetings: Service;
  /**
   * Stops one service and starts it again with extra node flags (e.g. --cpu-prof); same port and
   * env, plus `env`. `whileStopped` runs in between (e.g. seeding rows the stopped relay must not see yet).
   */
  restart(svc: ServiceName, nodeArgs: string[], opts?: { env?: Record<string, string>; whileStopped?: () => Promise<void> }): Promise<Service>;
  /** Runs an operator command from the service's build (`node dist/src/<script>.js`), with the service's environment, as in its image. */
  command(svc: ServiceName, script: string, args: string[], timeoutMs?: number): Promise<RunningChild>;
  /** What the auth-service was configured with, for the report. */
  settings: Record<string, string>;
  /** Each service's memory limit in the deployment and the heap the image gives it there. */
  memory: Record<ServiceName, DeploymentMemory>;
  /** What a reference server needs to share the services' data and keys (servers/minimal-*.ts). */
  shared: { authDbUrl: string; meetingsDbUrl: string; signingJwks: string };
  /** Both databases' URLs (scenarios that seed rows with SQL/COPY). */
  databases: { auth: string; meetings: string };
  /** What access tokens are signed with, so a scenario can mint tokens for users it seeded by SQL. */
  signing: { jwks: string; issuer: string; audience: string; clientId: string };
  /** The key the auth-service accepts on its internal routes (what the meetings-service presents). */
  authServiceKey: string;
  /** The profile-picture bucket: a local S3 server (packages/dev-s3) in a process of its own. */
  s3: { endpoint: string; directory: string; child: RunningChild };
}

const BUCKET = 'avatars';

/**
 * s3rver in its own process: inside the bench process it would share an event loop with
 * autocannon pushing megabytes of uploads, and the service's S3 calls would wait on that.
 */
async function startS3(registry: ChildRegistry, config: BenchConfig) {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'bench-s3-'));
  const cwd = join(config.repoRoot, 'packages', 'dev-s3');
  const child = registry.start({
    name: 'dev-s3',
    command: process.execPath,
    args: ['--import', 'tsx', '--conditions=source', 'src/main.ts'],
    cwd,
    env: { ...config.inheritedEnv, DEV_S3_PORT: String(port), DEV_S3_DIR: directory, DEV_S3_BUCKET: BUCKET },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp(`${endpoint}/${BUCKET}`, child, 60_000);
  const env = {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: BUCKET,
    S3_ACCESS_KEY_ID: DEV_S3_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: DEV_S3_CREDENTIALS.secretAccessKey,
    AVATAR_PUBLIC_BASE_URL: `${endpoint}/${BUCKET}`,
  };
  return { endpoint, directory, env, child };
}

const serviceDir = (config: BenchConfig, svc: string) => join(config.repoRoot, 'services', svc);

export async function buildServices(registry: ChildRegistry, config: BenchConfig): Promise<void> {
  // `pnpm build` limited to the two services and what they depend on (turbo builds ^deps first),
  // so an unrelated package that is mid-edit cannot break the bench.
  await runToCompletion(
    registry,
    {
      name: 'build',
      command: 'pnpm',
      args: ['exec', 'turbo', 'run', 'build', '--filter=@authmeet/auth-service', '--filter=@authmeet/meetings-service'],
      cwd: config.repoRoot,
      env: config.inheritedEnv,
    },
    300_000,
  );
}

/**
 * Runs the service's own dist/src/migrate.js. If the build cannot find its migrations (a
 * migrate.ts that resolves `../prisma` from dist/src/), falls back to the same script from
 * source and says so in the report.
 */
export async function migrate(registry: ChildRegistry, config: BenchConfig, svc: string, databaseUrl: string, env: Record<string, string>, warn: (msg: string) => void) {
  const spec = (args: string[]) => ({
    name: `migrate-${svc}`,
    command: process.execPath,
    args,
    cwd: serviceDir(config, svc),
    env: { ...config.inheritedEnv, ...env, DATABASE_URL: databaseUrl },
  });
  try {
    await runToCompletion(registry, spec(['dist/src/migrate.js']), 60_000);
  } catch (error) {
    if (!String(error).includes('dist/prisma/migrations')) throw error;
    warn(`${svc}: \`node dist/src/migrate.js\` looks for dist/prisma/migrations, which the build does not produce; migrated with \`src/migrate.ts\` (tsx) instead`);
    await runToCompletion(registry, spec(['--import', 'tsx', '--conditions=source', 'src/migrate.ts']), 60_000);
  }
}

interface StackInput {
  authDbUrl: string;
  meetingsDbUrl: string;
}

/** Production settings for both services, generous limits, their own databases and prefix. */
function serviceEnvs(config: BenchConfig, ports: { auth: number; meetings: number }, db: StackInput, s3: { env: Record<string, string> }) {
  const authKey = randomSecret(); // what the meetings-service presents to the auth-service
  const jwks = generateSigningJwks();
  const meetingsKey = randomSecret(); // what the auth-service presents to the meetings-service
  const common = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    REDIS_URL: config.redisUrl,
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    RATE_LIMIT_GLOBAL_MAX: HIGH_LIMIT,
    // No metrics listener: its fixed default ports could be taken on a shared machine.
    METRICS_PORT: '0',
  };
  const auth = {
    ...common,
    ...config.authEnv,
    PORT: String(ports.auth),
    DATABASE_URL: db.authDbUrl,
    JWT_PRIVATE_JWKS: jwks,
    SERVICE_KEYS: authKey,
    MEETINGS_SERVICE_URL: `http://127.0.0.1:${ports.meetings}`,
    MEETINGS_SERVICE_KEY: meetingsKey,
    ARGON2_MAX_CONCURRENCY: String(config.argon2MaxConcurrency),
    UV_THREADPOOL_SIZE: String(config.threadpoolSize),
    RATE_LIMIT_LOGIN_MAX: HIGH_LIMIT,
    RATE_LIMIT_REGISTER_MAX: HIGH_LIMIT,
    RATE_LIMIT_REFRESH_MAX: HIGH_LIMIT,
    // The brute-force throttle reserves each password check before hashing, so 16 concurrent
    // logins of one account from one address count as 16 attempts: lifted like the rate limits,
    // and the hash queue too, so the scenarios measure hashing, not refusals.
    LOGIN_FAILURE_MAX: HIGH_LIMIT,
    LOGIN_ACCOUNT_FREE_FAILURES: HIGH_LIMIT,
    ARGON2_MAX_QUEUE: HIGH_LIMIT,
    // Production requires both; nothing in the bench reads mail, so the worker that would send
    // verification mails is off (registration still writes its mail row in the same transaction).
    APP_BASE_URL: 'http://127.0.0.1:9',
    SMTP_URL: 'smtp://127.0.0.1:9',
    MAIL_WORKER_ENABLED: 'false',
    // Production with MFA on refuses to start without a key for the TOTP secrets (scenario 8).
    MFA_ENCRYPTION_KEY: `bench:${randomBytes(32).toString('base64')}`,
    // Scenario 8 makes one pending login per user before its verify run: on a busy machine that
    // can take longer than the default 5 min, and the first mfaTokens would expire unused.
    MFA_TOKEN_TTL: '1h',
    // Profile pictures (scenario 7) go to the local S3 server; uploads are limited per account
    // route and shed beyond the image queue, both lifted so the scenario measures the work.
    ...s3.env,
    RATE_LIMIT_ACCOUNT_MAX: HIGH_LIMIT,
    AVATAR_MAX_CONCURRENCY: String(config.avatarMaxConcurrency),
    AVATAR_MAX_QUEUE: HIGH_LIMIT,
  };
  const meetings = {
    ...common,
    PORT: String(ports.meetings),
    DATABASE_URL: db.meetingsDbUrl,
    SERVICE_KEYS: meetingsKey,
    AUTH_SERVICE_URL: `http://127.0.0.1:${ports.auth}`,
    AUTH_SERVICE_KEY: authKey,
  };
  return { auth, meetings, authKey, jwks };
}

/**
 * The V8 flags that give a service, on a host without a cgroup limit, the heap its container gives
 * it: the old space in MiB, and the image's other flags (young generation, heap growing) as they are.
 */
export const heapFlags = (m: DeploymentMemory): string[] => [`--max-old-space-size=${m.heapMiB}`, ...m.otherFlags];

export async function startStack(registry: ChildRegistry, config: BenchConfig, db: StackInput, warn: (msg: string) => void): Promise<Stack> {
  const ports = { auth: await freePort(), meetings: await freePort() };
  const s3 = await startS3(registry, config);
  const envs = serviceEnvs(config, ports, db, s3);
  await migrate(registry, config, 'auth-service', db.authDbUrl, envs.auth, warn);
  await migrate(registry, config, 'meetings-service', db.meetingsDbUrl, envs.meetings, warn);

  const memory = { 'auth-service': deploymentMemory(config, 'auth-service'), 'meetings-service': deploymentMemory(config, 'meetings-service') };
  const start = (svc: ServiceName, nodeArgs: string[] = [], env: Record<string, string> = {}) =>
    registry.start({
      name: svc,
      command: process.execPath,
      // As the images start them: the tracing preload first (inert unless OTEL_EXPORTER_OTLP_ENDPOINT
      // is set in the environment, which is how tracing on vs off is compared), and the heap the
      // image's NODE_OPTIONS gives them inside their container's memory limit, young generation included.
      args: ['--import', '@authmeet/telemetry/register', ...heapFlags(memory[svc]), ...nodeArgs, 'dist/src/main.js'],
      cwd: serviceDir(config, svc),
      env: { ...config.inheritedEnv, ...memory[svc].env, ...(svc === 'auth-service' ? envs.auth : envs.meetings), ...env },
    });
  const auth: Service = { url: `http://127.0.0.1:${ports.auth}`, child: start('auth-service') };
  await waitForHttp(`${auth.url}/readyz`, auth.child, START_TIMEOUT_MS);
  // The meetings-service fetches the JWKS from the auth-service, so it starts second.
  const meetings: Service = { url: `http://127.0.0.1:${ports.meetings}`, child: start('meetings-service') };
  await waitForHttp(`${meetings.url}/readyz`, meetings.child, START_TIMEOUT_MS);

  const stack: Stack = {
    auth,
    meetings,
    settings: {},
    memory,
    shared: { authDbUrl: db.authDbUrl, meetingsDbUrl: db.meetingsDbUrl, signingJwks: envs.auth.JWT_PRIVATE_JWKS },
    s3: { endpoint: s3.endpoint, directory: s3.directory, child: s3.child },
    databases: { auth: db.authDbUrl, meetings: db.meetingsDbUrl },
    // The services' defaults (JWT_ISSUER, JWT_AUDIENCE, JWT_DEFAULT_CLIENT_ID are not set here).
    signing: { jwks: envs.jwks, issuer: 'authmeet-auth', audience: 'authmeet', clientId: 'authmeet-web' },
    authServiceKey: envs.authKey,
    async restart(svc, nodeArgs, { env = {}, whileStopped } = {}) {
      await registry.stop(svc, 15_000);
      await whileStopped?.();
      const service = svc === 'auth-service' ? stack.auth : stack.meetings;
      service.child = start(svc, nodeArgs, env);
      await waitForHttp(`${service.url}/readyz`, service.child, START_TIMEOUT_MS);
      return service;
    },
    async command(svc, script, args, timeoutMs = 60_000) {
      const env = { ...config.inheritedEnv, ...(svc === 'auth-service' ? envs.auth : envs.meetings) };
      const spec = { name: `${svc}-${script}`, command: process.execPath, args: [`dist/src/${script}.js`, ...args], cwd: serviceDir(config, svc), env };
      return runToCompletion(registry, spec, timeoutMs);
    },
  };

  const settings = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ARGON2: 'argon2id m=19456 KiB, t=2, p=1 (service defaults)',
    ARGON2_MAX_CONCURRENCY: envs.auth.ARGON2_MAX_CONCURRENCY,
    UV_THREADPOOL_SIZE: envs.auth.UV_THREADPOOL_SIZE,
    DATABASE_POOL_SIZE: '10 (default)',
    'RATE_LIMIT_*_MAX': HIGH_LIMIT,
    'LOGIN_FAILURE_MAX, LOGIN_ACCOUNT_FREE_FAILURES, ARGON2_MAX_QUEUE, AVATAR_MAX_QUEUE': HIGH_LIMIT,
    AVATAR_MAX_CONCURRENCY: envs.auth.AVATAR_MAX_CONCURRENCY,
    S3: 's3rver (packages/dev-s3) in its own process',
    'V8 heap (as in their containers)': (['auth-service', 'meetings-service'] as const)
      .map((svc) => `${svc} ${heapFlags(memory[svc]).join(' ')} (${memory[svc].heapPercent} % of its ${memory[svc].limitMiB} MiB limit)`)
      .join(', '),
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    OUTBOX_BATCH_SIZE: config.authEnv.OUTBOX_BATCH_SIZE ?? '500 (default)',
    OUTBOX_CONCURRENCY: config.authEnv.OUTBOX_CONCURRENCY ?? '8 (default)',
  };
  stack.settings = settings;
  return stack;
}
