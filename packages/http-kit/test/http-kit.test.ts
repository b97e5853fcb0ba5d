import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  ConfigError,
  commonEnv,
  createHttpApp,
  decodeCursor,
  duration,
  int,
  mapInfrastructureError,
  optionalBool,
  encodeCursor,
  parseEnv,
  serviceKeyGuard,
  toAppError,
  toTokenAppError,
} from '../src/index.js';

function kitApp(corsOrigins: string[] = []) {
  return createHttpApp({
    service: 'kit-test',
    logger: false,
    trustProxy: false,
    bodyLimit: 1024,
    corsOrigins,
    docs: { title: 't', version: '0', description: 'd' },
  });
}

async function guardedApp(keys: string[]) {
  const app = await kitApp();
  app.get('/internal/x', { onRequest: serviceKeyGuard(keys) }, async () => ({ ok: true }));
  return app;
}

describe('serviceKeyGuard', () => {
  it('accepts any listed key and refuses everything else with 401', async () => {
    const app = await guardedApp(['old-key', 'new-key']);
    for (const key of ['old-key', 'new-key']) {
      expect((await app.inject({ method: 'GET', url: '/internal/x', headers: { 'x-service-key': key } })).statusCode).toBe(200);
    }
    for (const headers of [{}, { 'x-service-key': '' }, { 'x-service-key': 'old-keyX' }, { 'x-service-key': 'old' }, { authorization: 'Bearer old-key' }]) {
      const res = await app.inject({ method: 'GET', url: '/internal/x', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
    await app.close();
  });

  it('with no keys configured refuses every caller', async () => {
    const app = await guardedApp([]);
    expect((await app.inject({ method: 'GET', url: '/internal/x', headers: { 'x-service-key': '' } })).statusCode).toBe(401);
    await app.close();
  });
});

describe('parseEnv', () => {
  const schema = z.object({ ...commonEnv, PORT: z.coerce.number().int() });

  it('names every bad variable', () => {
    expect(() => parseEnv(schema, { PORT: 'x', NODE_ENV: 'staging', TRUST_PROXY: 'true' })).toThrow(ConfigError);
    try {
      parseEnv(schema, { PORT: 'x', NODE_ENV: 'staging', TRUST_PROXY: 'true' });
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['NODE_ENV', 'PORT', 'TRUST_PROXY']);
    }
  });

  it('parses lists and proxies', () => {
    const env = parseEnv(schema, { PORT: '1', SERVICE_KEYS: ' a, ,b ', TRUST_PROXY: '1' });
    expect(env.SERVICE_KEYS).toEqual(['a', 'b']);
    expect(env.TRUST_PROXY).toBe(1);
  });
});

describe('env helpers', () => {
  it('parse durations to seconds and name bad ones', () => {
    expect(duration('15m').parse(undefined)).toBe(900);
    expect(['900', '900s', '15m', '12h', '7d'].map((v) => duration('1s').parse(v))).toEqual([900, 900, 900, 43200, 604800]);
    expect(duration('1s').safeParse('soon').success).toBe(false);
  });

  it('bound integers and keep an unset boolean undefined', () => {
    expect(int(5).parse(undefined)).toBe(5);
    expect(int(5, 0).parse('0')).toBe(0);
    expect(int(5).safeParse('0').success).toBe(false);
    expect([undefined, 'yes', '0'].map((v) => optionalBool.parse(v))).toEqual([undefined, true, false]);
  });
});

describe('cursors', () => {
  const shape = z.object({ id: z.string() });
  it('round-trip and refuse garbage with a 400', () => {
    expect(decodeCursor(encodeCursor({ id: 'x' }), shape)).toEqual({ id: 'x' });
    expect(decodeCursor(undefined, shape)).toBeUndefined();
    for (const bad of ['!!', encodeCursor({ nope: 1 }), 'e30']) {
      expect(() => decodeCursor(bad, shape)).toThrow(AppError);
    }
  });
});

describe('error mapping', () => {
  it('turns unknown errors into a 500 without leaking the message', async () => {
    const app = Fastify();
    expect(toAppError(new Error('db password is hunter2')).code).toBe('INTERNAL_ERROR');
    await app.close();
  });

  it('maps token verification codes', () => {
    expect(toTokenAppError(Object.assign(new Error('x'), { code: 'TOKEN_EXPIRED' }))).toMatchObject({ code: 'TOKEN_EXPIRED', status: 401 });
    expect(toTokenAppError(Object.assign(new Error('x'), { code: 'DEPENDENCY_UNAVAILABLE', retryAfterSec: 7 }))).toMatchObject({ status: 503, retryAfter: 7 });
    // Not a token problem: left for the error handler (and its infrastructure mapping).
    const outage = new Error('connect ECONNREFUSED');
    expect(toTokenAppError(outage)).toBe(outage);
  });

  it('a Postgres shutting down under a query (SQLSTATE only in the adapter cause) is a 503, not a 500', () => {
    // The shape Prisma 7 with adapter-pg throws when `pg_ctl stop -m fast` ends a session mid-query
    // (seen in the fault suite): the adapter has no kind for 57P01 and reports kind "postgres".
    const error = Object.assign(new Error('Database error. Code: `57P01`. Message: `terminating connection due to administrator command`'), {
      name: 'PrismaClientKnownRequestError',
      code: 'P2010',
      meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01', originalCode: '57P01', severity: 'FATAL' } } },
    });
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
    // A raw query on a connection the stopping server closed: no SQLSTATE at all.
    const closed = Object.assign(new Error('Raw query failed. Code: `N/A`. Message: `Server has closed the connection.`'), {
      name: 'PrismaClientKnownRequestError',
      code: 'P2010',
      meta: { driverAdapterError: { cause: { kind: 'postgres', code: 'N/A' } } },
    });
    expect(mapInfrastructureError(closed)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
  });

  it('an internal error answers a generic problem', async () => {
    const app = await guardedApp(['k']);
    app.get('/boom', async () => {
      throw new Error('secret detail');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret detail');
    expect(res.json()).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
    await app.close();
  });
});

describe('a refusal from an early hook', () => {
  it('a body on a route that takes none is refused with every header an answer carries', async () => {
    const origin = 'https://app.example';
    const app = await kitApp([origin]);
    app.post('/v1/ping', async () => ({ ok: true }));
    const res = await app.inject({ method: 'POST', url: '/v1/ping', headers: { origin, 'content-type': 'application/json' }, payload: '{"a":1}' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Security headers, CORS (a browser on an allowed origin can read why), no caching.
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await app.close();
  });
});
