import { Writable } from 'node:stream';
import { loggerOptions, recordProblemAnswers, undocumentedProblems } from '@authmeet/http-kit';
import type { HttpApp, LoggerOptions } from '@authmeet/http-kit';
import { createTestDatabase, testServiceEnv, uniqueRedisPrefix } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { buildApp } from '../src/app.js';
import type { AppOverrides } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Config } from '../src/config.js';
import { generateSigningJwk, loadKeyRing } from '../src/modules/keys/key-ring.js';
import type { KeyRing } from '../src/modules/keys/key-ring.js';
import { migrationsDir } from './migrations-dir.js';

export { migrationsDir } from './migrations-dir.js';
export const SERVICE_KEY = 'test-service-key-0123456789abcdef';

export interface TestContext {
  app: HttpApp;
  config: Config;
  db: TestDatabase;
  keyRing: KeyRing;
  close(): Promise<void>;
}

export async function testKeyRing(kids = ['test-key-1']): Promise<KeyRing> {
  const keys = await Promise.all(kids.map((kid) => generateSigningJwk(kid)));
  return loadKeyRing({ privateJwks: JSON.stringify({ keys }), devKeysFile: '/nonexistent', env: 'test' }, () => {});
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    ...testServiceEnv({ databaseUrl, poolSize: 4, redisKeyPrefix: uniqueRedisPrefix('auth'), serviceKey: SERVICE_KEY }),
    RATE_LIMIT_LOGIN_MAX: '1000',
    RATE_LIMIT_REGISTER_MAX: '1000',
    RATE_LIMIT_REFRESH_MAX: '1000',
    RATE_LIMIT_GLOBAL_MAX: '10000',
    OUTBOX_RELAY_ENABLED: 'false',
    // Mail tests start the worker against their own SMTP server; elsewhere mail just queues.
    MAIL_WORKER_ENABLED: 'false',
    // Picture tests start the deletion worker against their own S3 server.
    AVATAR_DELETION_WORKER_ENABLED: 'false',
    // The retention test starts the audit pruning itself (a run at start would race its rows).
    AUDIT_PRUNE_ENABLED: 'false',
    APP_BASE_URL: 'https://app.example.com',
    RATE_LIMIT_FORGOT_MAX: '1000',
    RATE_LIMIT_ACCOUNT_MAX: '1000',
    MAIL_ADDRESS_MAX: '1000',
    FORGOT_MIN_RESPONSE_MS: '0',
    ...env,
  });
}

/** A whole auth-service on its own database and Redis prefix. */
export async function startAuthService(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestContext> {
  const db = await createTestDatabase('auth_test', migrationsDir);
  const config = testConfig(db.url, { DATABASE_DIRECT_URL: db.directUrl, ...env });
  const keyRing = overrides.keyRing ?? (await testKeyRing());
  const app = await buildApp(config, { logger: false, keyRing, ...overrides });
  const answers = recordProblemAnswers(app);
  await app.ready();
  return {
    app,
    config,
    db,
    keyRing,
    async close() {
      const undocumented = undocumentedProblems(app.swagger(), answers);
      await app.close();
      await db.drop();
      // Every problem the tests saw a route answer is one its OpenAPI operation lists.
      if (undocumented.length > 0) throw new Error(`problem answers missing from openapi.json (add the codes to the route's \`errors\`):\n${undocumented.join('\n')}`);
    },
  };
}

/**
 * An auth-service with the production logger settings (JSON, redaction) writing into `lines`,
 * for tests that read what gets logged.
 */
export async function startWithCapturedLogs(lines: string[], level = 'debug'): Promise<TestContext> {
  const base = await startAuthService();
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = { ...loggerOptions('auth-service', { level, pretty: false }), stream } as LoggerOptions;
  const app = await buildApp(base.config, { logger, keyRing: base.keyRing });
  return {
    ...base,
    app,
    async close() {
      await app.close();
      await base.close();
    },
  };
}
