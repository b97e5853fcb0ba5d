import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, accessTokenVerification, bearerAuth, requirePermission, toTokenAppError } from '../src/index.js';
import type { BearerAuthOptions } from '../src/index.js';

type Claims = Awaited<ReturnType<BearerAuthOptions['verify']>>;
const CLAIMS: Claims = {
  sub: 'u1',
  sid: 's1',
  jti: 'j1',
  email: 'ada@example.com',
  username: 'ada',
  exp: 1_900_000_000,
  amr: ['pwd'],
  acr: 'aal1',
  auth_time: 1_899_999_000,
  iat: 1_899_999_100,
  roles: ['moderator'],
};

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** An app whose verifier records the tokens it was handed; `fail` makes it throw instead. */
async function appWith(fail?: unknown, claims: Claims = CLAIMS) {
  const seen: string[] = [];
  const app = Fastify();
  apps.push(app);
  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof AppError)) return reply.status(500).send({ code: 'UNEXPECTED' });
    if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
    return reply.status(error.status).send({ code: error.code, detail: error.detail ?? null });
  });
  await app.register(bearerAuth, {
    verify: async (token: string) => {
      seen.push(token);
      if (fail !== undefined) throw fail;
      return claims;
    },
  });
  app.get('/me', { onRequest: app.authenticate }, async (request) => ({ auth: request.auth }));
  app.get('/open', async (request) => ({ auth: request.auth }));
  app.get('/moderate', { onRequest: app.authenticate, preHandler: requirePermission('meetings:moderate') }, async () => ({ ok: true }));
  app.get('/admin', { onRequest: app.authenticate, preHandler: requirePermission('users:write') }, async () => ({ ok: true }));
  app.get('/unguarded', { preHandler: requirePermission('users:read') }, async () => ({ ok: true }));
  await app.ready();
  const call = (authorization?: string) =>
    app.inject({ method: 'GET', url: '/me', headers: authorization === undefined ? {} : { authorization } });
  return { app, seen, call };
}

describe('Bearer header parsing', () => {
  it('accepts the RFC 6750 shape, any case of the scheme, extra spaces around the token', async () => {
    const { seen, call } = await appWith();
    const accepted: [string, string][] = [
      ['Bearer abc.def-ghi_jkl~mno+pqr/stu', 'abc.def-ghi_jkl~mno+pqr/stu'],
      ['bearer tok', 'tok'],
      ['BEARER tok', 'tok'],
      ['Bearer   tok', 'tok'],
      ['Bearer tok   ', 'tok'],
      ['Bearer tok==', 'tok=='],
    ];
    for (const [header, token] of accepted) {
      seen.length = 0;
      const res = await call(header);
      expect(res.statusCode, header).toBe(200);
      expect(seen).toEqual([token]);
    }
  });

  it('treats anything else as no credentials, without calling the verifier', async () => {
    const { seen, call } = await appWith();
    const refused = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearertok',
      'XBearer tok',
      ' Bearer tok',
      'Bearer tok junk',
      'Bearer tok\tjunk',
      'Bearer to=k',
      'Bearer =tok',
      'Bearer tok,tok',
      'Basic dXNlcjpwYXNz',
      'Token tok',
    ];
    for (const header of refused) {
      const res = await call(header);
      expect(res.statusCode, String(header)).toBe(401);
      expect(res.json()).toEqual({ code: 'UNAUTHENTICATED', detail: 'A Bearer access token is required' });
    }
    expect(seen).toEqual([]);
  });

  it('puts exactly the verified claims on request.auth, and null on open routes', async () => {
    const { app, call } = await appWith();
    expect((await call('Bearer tok')).json()).toEqual({
      auth: {
        amr: ['pwd'],
        acr: 'aal1',
        authTime: 1_899_999_000,
        userId: 'u1',
        sessionId: 's1',
        tokenId: 'j1',
        email: 'ada@example.com',
        username: 'ada',
        expiresAt: 1_900_000_000,
        issuedAt: 1_899_999_100,
        roles: ['moderator'],
      },
    });
    expect((await app.inject({ method: 'GET', url: '/open' })).json()).toEqual({ auth: null });
  });
});

describe('requirePermission', () => {
  it("decides from the token's roles: a moderator may moderate, not administer; no token is 401", async () => {
    const { app } = await appWith();
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: 'Bearer tok' } });
    expect((await get('/moderate')).statusCode).toBe(200);
    const refused = await get('/admin');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ code: 'FORBIDDEN', detail: 'This needs the users:write permission' });
    expect((await app.inject({ method: 'GET', url: '/unguarded' })).json()).toEqual({
      code: 'UNAUTHENTICATED',
      detail: 'A Bearer access token is required',
    });
  });
});

describe('a token without a roles claim (minted before roles existed)', () => {
  it('has no roles and no permission', async () => {
    const { roles: _roles, ...withoutRoles } = CLAIMS;
    const { app, call } = await appWith(undefined, withoutRoles);
    expect((await call('Bearer tok')).json().auth.roles).toEqual([]);
    const res = await app.inject({ method: 'GET', url: '/moderate', headers: { authorization: 'Bearer tok' } });
    expect(res.statusCode).toBe(403);
  });
});

describe('verification failures', () => {
  it.each(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED'])('%s becomes its coded 401', async (code) => {
    const { call } = await appWith(Object.assign(new Error('no'), { code }));
    const res = await call('Bearer tok');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code, detail: null });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('an unavailable dependency is a 503 with Retry-After (given, or 2 s)', async () => {
    const given = await appWith(Object.assign(new Error('down'), { code: 'DEPENDENCY_UNAVAILABLE', retryAfterSec: 7 }));
    const res = await given.call('Bearer tok');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    const fallback = await appWith(Object.assign(new Error('down'), { code: 'DEPENDENCY_UNAVAILABLE', retryAfterSec: '7' }));
    expect((await fallback.call('Bearer tok')).headers['retry-after']).toBe('2');
  });

  it('anything else is passed on unchanged, never disguised as a bad token', async () => {
    const { call } = await appWith(Object.assign(new Error('db down'), { code: 'ECONNREFUSED' }));
    expect((await call('Bearer tok')).json()).toEqual({ code: 'UNEXPECTED' });
  });
});

describe('toTokenAppError', () => {
  it('turns a step-up refusal into 403 STEP_UP_REQUIRED with its hints', () => {
    const stepUp = Object.assign(new Error('needs a recent strong login'), { code: 'STEP_UP_REQUIRED', acrValues: 'aal2', maxAgeSec: 600 });
    const mapped = toTokenAppError(stepUp);
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      status: 403,
      detail: 'needs a recent strong login',
      extensions: { acrValues: 'aal2', maxAge: 600 },
      cause: stepUp,
    });
    // A refusal without a usable message gets the catalogue's wording, not "undefined".
    expect(toTokenAppError({ code: 'STEP_UP_REQUIRED', acrValues: 'aal2', maxAgeSec: 300, message: 42 })).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      detail: undefined,
    });
  });

  it('keeps AppErrors and unknown errors as they are, and the cause of mapped ones', () => {
    const app = new AppError('FORBIDDEN');
    expect(toTokenAppError(app)).toBe(app);
    // An AppError that already carries a token code keeps its detail: it is not rebuilt.
    const coded = new AppError('TOKEN_REVOKED', { detail: 'Signed out on another device' });
    expect(toTokenAppError(coded)).toBe(coded);
    const other = new Error('x');
    expect(toTokenAppError(other)).toBe(other);
    expect(toTokenAppError(Object.assign(new Error('x'), { code: 42 }))).toBeInstanceOf(Error);
    const source = Object.assign(new Error('x'), { code: 'TOKEN_REVOKED' });
    const mapped = toTokenAppError(source);
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ code: 'TOKEN_REVOKED', cause: source, retryAfter: undefined });
    const unavailable = Object.assign(new Error('x'), { code: 'DEPENDENCY_UNAVAILABLE' });
    expect(toTokenAppError(unavailable)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', cause: unavailable, retryAfter: 2 });
  });
});

describe('accessTokenVerification', () => {
  const revoked = Object.assign(new Error('no'), { code: 'TOKEN_REVOKED' });

  it('hands back the verified claims after admit accepted them, and never admits a refused token', async () => {
    const admitted: unknown[] = [];
    const verify = accessTokenVerification(async (token: string) => {
      if (token === 'bad') throw revoked;
      return { sub: token };
    }, { admit: async (claims) => void admitted.push(claims) });
    expect(await verify('u1')).toEqual({ sub: 'u1' });
    await expect(verify('bad')).rejects.toMatchObject({ code: 'TOKEN_REVOKED', status: 401, cause: revoked });
    expect(admitted).toEqual([{ sub: 'u1' }]);
  });

  it("passes admit's AppErrors on as they are", async () => {
    const disabled = new AppError('ACCOUNT_DISABLED');
    const verify = accessTokenVerification(async () => ({ sub: 'u1' }), {
      admit: async () => {
        throw disabled;
      },
      mapError: () => new AppError('DEPENDENCY_UNAVAILABLE'),
    });
    await expect(verify('t')).rejects.toBe(disabled);
  });

  it("maps admit's other failures with mapError, or makes them a 500 that keeps the cause", async () => {
    const outage = new Error('connect ECONNREFUSED');
    const failing = async () => {
      throw outage;
    };
    const mapped = accessTokenVerification(async () => ({ sub: 'u1' }), {
      admit: failing,
      mapError: (error) => (error === outage ? new AppError('DEPENDENCY_UNAVAILABLE', { retryAfter: 3 }) : undefined),
    });
    await expect(mapped('t')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503, retryAfter: 3 });
    const unmapped = accessTokenVerification(async () => ({ sub: 'u1' }), { admit: failing, mapError: () => undefined });
    await expect(unmapped('t')).rejects.toMatchObject({ code: 'INTERNAL_ERROR', status: 500, cause: outage });
    const plain = accessTokenVerification(async () => ({ sub: 'u1' }), { admit: failing });
    await expect(plain('t')).rejects.toMatchObject({ code: 'INTERNAL_ERROR', cause: outage });
  });
});
