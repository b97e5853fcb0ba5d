import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import type { PrivatePostgres } from './postgres.js';
import { startPostgres } from './postgres.js';
import type { TcpProxy } from './proxy.js';
import { startProxy } from './proxy.js';
import type { PrivateRedis } from './redis.js';
import { startRedis } from './redis.js';
import type { ServiceProcess } from './service-process.js';
import { serviceProcess } from './service-process.js';

const migrations = (svc: string) => fileURLToPath(new URL(`../../../../services/${svc}/prisma/migrations`, import.meta.url));
const HIGH = '1000000000';

export interface StackOptions {
  authReplicas?: number;
  meetingsReplicas?: number;
  authEnv?: Record<string, string>;
  meetingsEnv?: Record<string, string>;
  /**
   * A pooler (PgBouncer) started in front of the private Postgres: the services' DATABASE_URL
   * goes through it, DATABASE_DIRECT_URL (LISTEN, migrations) does not.
   */
  viaPooler?: (pgPort: number) => Promise<{ via(url: string): string }>;
}

export interface Stack {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  authDb: TestDatabase;
  meetingsDb: TestDatabase;
  auth: ServiceProcess[];
  meetings: ServiceProcess[];
  /** What the meetings-service calls as the auth-service (user fetch, JWKS): in front of every auth replica. */
  authProxy: TcpProxy;
  /** What the outbox relay delivers to: in front of every meetings replica. */
  meetingsProxy: TcpProxy;
  /** Stops every process and deletes the private instances. */
  close(): Promise<void>;
}

function signingJwks(): string {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return JSON.stringify({ keys: [{ ...jwk, kid: 'faults-1', alg: 'EdDSA', use: 'sig' }] });
}

/**
 * The whole backend on loopback with private dependencies: Postgres and Redis of its own,
 * both services as processes with production settings (generous rate limits: every request
 * comes from 127.0.0.1), and proxies between the services that a scenario can cut or freeze.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const pg = await startPostgres();
    closers.push(() => pg.destroy());
    const redis = await startRedis();
    closers.push(() => redis.destroy());
    const [authDb, meetingsDb] = await Promise.all([
      createTestDatabase('faults_auth', migrations('auth-service'), pg.server),
      createTestDatabase('faults_meetings', migrations('meetings-service'), pg.server),
    ]);
    const pooler = await opts.viaPooler?.(pg.port);
    const pooled = (url: string): Record<string, string> => (pooler ? { DATABASE_URL: pooler.via(url), DATABASE_DIRECT_URL: url } : { DATABASE_URL: url });

    const authPorts = await Promise.all(Array.from({ length: opts.authReplicas ?? 1 }, () => freePort()));
    const meetingsPorts = await Promise.all(Array.from({ length: opts.meetingsReplicas ?? 1 }, () => freePort()));
    const authProxy = await startProxy(authPorts);
    closers.push(() => authProxy.close());
    const meetingsProxy = await startProxy(meetingsPorts);
    closers.push(() => meetingsProxy.close());

    const authKey = randomBytes(24).toString('hex');
    const meetingsKey = randomBytes(24).toString('hex');
    const common = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'faults:',
      DATABASE_POOL_SIZE: '5',
      RATE_LIMIT_GLOBAL_MAX: HIGH,
      SHUTDOWN_GRACE_MS: '15000',
    };
    const authEnv = {
      ...common,
      ...pooled(authDb.url),
      JWT_PRIVATE_JWKS: signingJwks(),
      SERVICE_KEYS: authKey,
      MEETINGS_SERVICE_URL: `http://127.0.0.1:${meetingsProxy.port}`,
      MEETINGS_SERVICE_KEY: meetingsKey,
      APP_BASE_URL: 'http://127.0.0.1:9',
      SMTP_URL: 'smtp://127.0.0.1:9',
      MAIL_WORKER_ENABLED: 'false',
      // Production names its picture bucket; no fault here uploads one, so nothing listens there.
      S3_ENDPOINT: 'http://127.0.0.1:9',
      AVATAR_PUBLIC_BASE_URL: 'http://127.0.0.1:9/avatars',
      AVATAR_DELETION_WORKER_ENABLED: 'false',
      // Production with MFA on needs its key for TOTP secrets (a fresh one per run).
      MFA_ENCRYPTION_KEY: `faults:${randomBytes(32).toString('base64')}`,
      ARGON2_MAX_CONCURRENCY: '2',
      RATE_LIMIT_LOGIN_MAX: HIGH,
      RATE_LIMIT_REGISTER_MAX: HIGH,
      RATE_LIMIT_REFRESH_MAX: HIGH,
      RATE_LIMIT_ACCOUNT_MAX: HIGH,
      LOGIN_FAILURE_MAX: HIGH,
      OUTBOX_POLL_MS: '200',
      ...opts.authEnv,
    };
    const meetingsEnv = {
      ...common,
      ...pooled(meetingsDb.url),
      SERVICE_KEYS: meetingsKey,
      AUTH_SERVICE_URL: `http://127.0.0.1:${authProxy.port}`,
      AUTH_SERVICE_KEY: authKey,
      AUTH_JWKS_ALLOW_HTTP: 'true',
      ...opts.meetingsEnv,
    };
    const auth = authPorts.map((port) => serviceProcess('auth-service', port, authEnv));
    const meetings = meetingsPorts.map((port) => serviceProcess('meetings-service', port, meetingsEnv));
    closers.push(() => Promise.all([...auth, ...meetings].map((s) => s.kill('SIGKILL'))));
    // The meetings-service fetches the signing keys from the auth-service at start.
    await Promise.all(auth.map((s) => s.start()));
    await Promise.all(meetings.map((s) => s.start()));
    return { pg, redis, authDb, meetingsDb, auth, meetings, authProxy, meetingsProxy, close };
  } catch (error) {
    await close();
    throw error;
  }
}
