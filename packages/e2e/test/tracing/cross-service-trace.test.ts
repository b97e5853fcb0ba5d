import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { TEST_REDIS_URL, createTestDatabase, eventually, freePort, uniqueRedisPrefix } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { ReceivedSpan } from '../support/otlp-receiver.js';
import { repoPath } from '../support/repo.js';
import { startServiceProcess } from '../support/service-process.js';
import type { ServiceProcess } from '../support/service-process.js';

const SERVER = 2;

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let dbs: TestDatabase[] = [];
let auth: ServiceProcess | undefined;
let meetings: ServiceProcess | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  dbs = await Promise.all([
    createTestDatabase('trace_auth', repoPath('services/auth-service/prisma/migrations')),
    createTestDatabase('trace_meetings', repoPath('services/meetings-service/prisma/migrations')),
  ]);
  const [authDb, meetingsDb] = dbs as [TestDatabase, TestDatabase];
  const [authPort, meetingsPort] = await Promise.all([freePort(), freePort()]);
  const serviceKey = randomBytes(24).toString('hex');
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: uniqueRedisPrefix('trace'),
    SERVICE_KEYS: serviceKey,
    // The standard OpenTelemetry variables; JSON so the test's receiver can read it.
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  auth = await startServiceProcess('auth-service', authPort, {
    ...common,
    OTEL_SERVICE_NAME: 'auth-service',
    DATABASE_URL: authDb.url,
    JWT_PRIVATE_JWKS: JSON.stringify({ keys: [{ ...jwk, kid: 'trace-1', alg: 'EdDSA', use: 'sig' }] }),
    MEETINGS_SERVICE_URL: `http://127.0.0.1:${meetingsPort}`,
    MEETINGS_SERVICE_KEY: serviceKey,
    MAIL_WORKER_ENABLED: 'false',
  });
  meetings = await startServiceProcess('meetings-service', meetingsPort, {
    ...common,
    OTEL_SERVICE_NAME: 'meetings-service',
    DATABASE_URL: meetingsDb.url,
    AUTH_SERVICE_URL: `http://127.0.0.1:${authPort}`,
    AUTH_SERVICE_KEY: serviceKey,
  });
}, 240_000);

afterAll(async () => {
  await Promise.all([auth?.stop(), meetings?.stop()]);
  await Promise.all(dbs.map((db) => db.drop()));
  await receiver?.close();
}, 60_000);

/** The chain of spans from `span` up to its trace's root, as far as they were received. */
function ancestry(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.filter((s) => s.traceId === span.traceId).map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = span.parentSpanId; parent !== undefined; ) {
    const next = byId.get(parent);
    if (next === undefined) break;
    chain.push(next);
    parent = next.parentSpanId;
  }
  return chain;
}

describe('one trace across both services', () => {
  it('follows a registration from auth-service through the outbox relay to the meetings-service', async () => {
    const res = await fetch(`${auth?.url}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'trace@example.com', username: 'tracer', password: 'Correct-Horse-Battery-9-Staple' }),
    });
    expect(res.status).toBe(201);
    const requestId = res.headers.get('x-request-id');
    const { user } = (await res.json()) as { user: { id: string } };

    // The meetings-service's side of the delivery: the internal route's server span.
    const delivered = await eventually(() => {
      const span = receiver.spans.find(
        (s) => s.service === 'meetings-service' && s.kind === SERVER && String(s.attributes['url.path'] ?? '') === `/internal/v1/users/${user.id}`,
      );
      if (!span) throw new Error('no meetings-service span for the delivery yet');
      return span;
    }, 60_000, 100);

    const register = receiver.spans.find(
      (s) => s.service === 'auth-service' && s.kind === SERVER && s.attributes['url.path'] === '/v1/auth/register',
    );
    expect(register, 'auth-service server span for the registration').toBeDefined();
    expect(delivered.traceId).toBe(register?.traceId);

    // Linked parent to parent, not merely sharing an id: meetings ← fetch ← relay ← ... ← register.
    const chain = await eventually(() => {
      const c = ancestry(delivered, receiver.spans);
      expect(c.at(-1)?.spanId).toBe(register?.spanId);
      return c;
    }, 10_000, 100);
    const names = chain.map((s) => `${s.service}:${s.name}`);
    expect(names).toContain('auth-service:outbox deliver');
    expect(chain.some((s) => s.service === 'auth-service' && s.scope.includes('undici'))).toBe(true);

    // Logs: the delivery's request in the meetings-service carries the registration's request
    // id (x-request-id through the outbox row), and log lines carry the trace.
    const traceId = register?.traceId ?? '';
    expect(auth?.output()).toContain(`"trace_id":"${traceId}"`);
    const meetingsLines = (meetings?.output() ?? '').split('\n').filter((l) => l.includes(`/internal/v1/users/${user.id}`));
    expect(meetingsLines.length).toBeGreaterThan(0);
    expect(meetingsLines.every((l) => l.includes(`"reqId":"${requestId}"`) && l.includes(`"trace_id":"${traceId}"`))).toBe(true);
  }, 120_000);
});
