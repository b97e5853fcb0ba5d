import { fileURLToPath } from 'node:url';
import type { HttpApp } from '@authmeet/http-kit';
import { recordProblemAnswers, undocumentedProblems } from '@authmeet/http-kit';
import { createTestDatabase, TEST_REDIS_URL, testServiceEnv, uniqueRedisPrefix } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { buildApp } from '../src/app.js';
import type { AppOverrides } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Config } from '../src/config.js';
import { startTokenIssuer } from './helpers/token-issuer.js';
import type { TokenIssuer } from './helpers/token-issuer.js';

export const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
export const schemaPath = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));
export const SERVICE_KEY = 'meetings-test-key-0123456789abcdef';
/** Where nothing listens: the auth-service's user lookups fail fast unless a test sets a URL. */
export const DEAD_AUTH_URL = 'http://127.0.0.1:1';

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    ...testServiceEnv({ databaseUrl, poolSize: 6, redisKeyPrefix: uniqueRedisPrefix('meetings'), serviceKey: SERVICE_KEY }),
    AUTH_SERVICE_URL: DEAD_AUTH_URL,
    AUTH_CLIENT_TIMEOUT_MS: '500',
    AUTH_CLIENT_RETRIES: '1',
    AUTH_CLIENT_RETRY_MIN_MS: '10',
    AUTH_CLIENT_RETRY_MAX_MS: '20',
    AUTH_CLIENT_BREAKER_RESET_MS: '500',
    AUTH_CLIENT_BREAKER_VOLUME: '3',
    AUTH_CLIENT_BREAKER_TIMEOUT_MS: '2000',
    RATE_LIMIT_GLOBAL_MAX: '100000',
    ...env,
  });
}

export interface MeetingsContext {
  app: HttpApp;
  config: Config;
  db: TestDatabase;
  issuer: TokenIssuer;
  close(): Promise<void>;
}

/**
 * A meetings-service on its own database and Redis prefix, verifying tokens from a local
 * issuer. `share` builds a second instance on the same database, Redis prefix and issuer (a
 * replica).
 */
export async function startMeetingsService(
  env: Record<string, string> = {},
  opts: { overrides?: AppOverrides; share?: MeetingsContext } = {},
): Promise<MeetingsContext> {
  const shared = opts.share;
  const db = shared?.db ?? (await createTestDatabase('meetings_test', migrationsDir));
  const keyPrefix = env.REDIS_KEY_PREFIX ?? shared?.config.revocation.keyPrefix ?? uniqueRedisPrefix('meetings');
  const issuer = shared?.issuer ?? (await startTokenIssuer({ redisUrl: TEST_REDIS_URL, keyPrefix }));
  const config = testConfig(db.url, { AUTH_JWKS_URL: issuer.jwksUrl, ...env, REDIS_KEY_PREFIX: keyPrefix });
  const app = await buildApp(config, { logger: false, ...opts.overrides });
  const answers = recordProblemAnswers(app);
  await app.ready();
  return {
    app,
    config,
    db,
    issuer,
    async close() {
      const undocumented = undocumentedProblems(app.swagger(), answers);
      await app.close();
      if (!shared) {
        await issuer.close();
        await db.drop();
      }
      // Every problem the tests saw a route answer is one its OpenAPI operation lists.
      if (undocumented.length > 0) throw new Error(`problem answers missing from openapi.json (add the codes to the route's \`errors\`):\n${undocumented.join('\n')}`);
    },
  };
}
