import fastifyCookie from '@fastify/cookie';
import { errorHandler } from '@authmeet/http-kit';
import { expectProblem } from '@authmeet/test-kit';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserSessions, REFRESH_COOKIE } from '../src/modules/sessions/browser-sessions.js';
import type { BrowserSessions } from '../src/modules/sessions/browser-sessions.js';
import type { TokenPair } from '../src/modules/sessions/sessions.service.js';

// Cookie mode's building blocks on a bare Fastify app with the real cookie plugin and error
// handler (no database, no Redis): the Origin check, reading the cookie, setting and clearing
// it. The flows through the whole service: cookie-sessions.test.ts.

const APP = 'https://app.example.com';
const pair: TokenPair = {
  accessToken: 'access',
  refreshToken: 'refresh-token-value',
  tokenType: 'Bearer',
  expiresIn: 900,
  refreshExpiresIn: 3600,
  user: {} as TokenPair['user'],
  sessionId: 'session-1',
};

/** An app whose routes show what the module decides for the request they get. */
async function appWith(sessions: BrowserSessions): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(errorHandler, { realm: 'test' });
  await app.register(fastifyCookie);
  app.post('/guarded', { preHandler: sessions.guard }, async () => ({ passed: true }));
  app.get('/assert', async (request) => {
    sessions.assertBrowserOrigin(request);
    return { passed: true };
  });
  app.get('/inspect', async (request) => ({ read: sessions.read(request), has: sessions.hasCookie(request), fromAllowed: sessions.fromAllowedOrigin(request) }));
  app.post('/deliver', async (request, reply) => {
    const { mode, result } = request.body as { mode?: boolean; result: object };
    return sessions.deliver(reply, result, mode);
  });
  app.post('/clear', async (_request, reply) => {
    sessions.clear(reply);
    return {};
  });
  await app.ready();
  return app;
}

let production: FastifyInstance;
let development: FastifyInstance;
beforeAll(async () => {
  production = await appWith(createBrowserSessions({ origins: [APP, 'https://spa.example.com'], allowLoopback: false }));
  development = await appWith(createBrowserSessions({ origins: [APP], allowLoopback: true }));
});
afterAll(async () => {
  await production.close();
  await development.close();
});

const inspect = async (app: FastifyInstance, headers: Record<string, string>) =>
  (await app.inject({ method: 'GET', url: '/inspect', headers })).json() as { read: { token?: string; ambiguous: boolean }; has: boolean; fromAllowed: boolean };

/** The response's refresh cookie: its value and attributes (lower-cased names). */
function refreshCookieOf(res: LightMyRequestResponse): { value: string; attributes: Map<string, string> } | undefined {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const mine = list.filter((c) => c.startsWith(`${REFRESH_COOKIE}=`));
  expect(mine.length).toBeLessThanOrEqual(1);
  if (mine[0] === undefined) return undefined;
  const [first = '', ...attrs] = mine[0].split(';').map((s) => s.trim());
  const attributes = new Map(attrs.map((a): [string, string] => [a.split('=')[0]?.toLowerCase() ?? '', a.split('=').slice(1).join('=')]));
  return { value: first.slice(REFRESH_COOKIE.length + 1), attributes };
}

describe('allowed origins', () => {
  it('exact configured origins only; loopback http origins only when allowed', async () => {
    for (const origin of [APP, 'https://spa.example.com']) expect((await inspect(production, { origin })).fromAllowed, origin).toBe(true);
    for (const origin of ['http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:3000', `${APP}/`, 'https://evil.example', 'null']) {
      expect((await inspect(production, { origin })).fromAllowed, origin).toBe(false);
    }
    for (const origin of [APP, 'http://localhost:8080', 'http://127.0.0.1', 'http://[::1]:3000', 'http://localhost']) {
      expect((await inspect(development, { origin })).fromAllowed, origin).toBe(true);
    }
    for (const origin of ['https://spa.example.com', 'https://localhost', 'http://localhost.evil.example', 'http://localhost:123456']) {
      expect((await inspect(development, { origin })).fromAllowed, origin).toBe(false);
    }
    expect((await inspect(development, {})).fromAllowed).toBe(false);
    expect(createBrowserSessions({ origins: [], allowLoopback: true }).isAllowedOrigin(undefined)).toBe(false);
  });

  it('assertBrowserOrigin refuses with 403 ORIGIN_NOT_ALLOWED, saying which origin (its first 100 characters) or that there was none', async () => {
    expect((await production.inject({ method: 'GET', url: '/assert', headers: { origin: APP } })).json()).toEqual({ passed: true });
    const none = expectProblem(await production.inject({ method: 'GET', url: '/assert' }), 403, 'ORIGIN_NOT_ALLOWED');
    expect(none.detail).toBe('The request has no Origin header');
    const evil = expectProblem(await production.inject({ method: 'GET', url: '/assert', headers: { origin: 'https://evil.example' } }), 403, 'ORIGIN_NOT_ALLOWED');
    expect(evil.detail).toBe('Origin https://evil.example is not allowed');
    const long = `https://${'a'.repeat(200)}.example`;
    const cut = expectProblem(await production.inject({ method: 'GET', url: '/assert', headers: { origin: long } }), 403, 'ORIGIN_NOT_ALLOWED');
    expect(cut.detail).toBe(`Origin ${long.slice(0, 100)} is not allowed`);
  });

  it('the guard asks for an allowed origin only when the body asks for cookie mode', async () => {
    const post = (payload: unknown, origin?: string) =>
      production.inject({ method: 'POST', url: '/guarded', headers: origin === undefined ? {} : { origin }, ...(payload === undefined ? {} : { payload: payload as object }) });
    expectProblem(await post({ cookie: true }), 403, 'ORIGIN_NOT_ALLOWED');
    expectProblem(await post({ cookie: true }, 'https://evil.example'), 403, 'ORIGIN_NOT_ALLOWED');
    expect((await post({ cookie: true }, APP)).json()).toEqual({ passed: true });
    for (const body of [{ cookie: false }, { cookie: 'true' }, {}, undefined]) expect((await post(body)).statusCode, JSON.stringify(body)).toBe(200);
  });
});

describe('reading the cookie', () => {
  it('no cookie, other cookies, or an empty one give no token; the cookie among others gives its value', async () => {
    expect(await inspect(production, {})).toMatchObject({ read: { ambiguous: false }, has: false });
    expect((await inspect(production, {})).read.token).toBeUndefined();
    expect(await inspect(production, { cookie: 'theme=dark; am_refresh_old=x' })).toMatchObject({ read: { ambiguous: false }, has: false });
    const empty = await inspect(production, { cookie: `${REFRESH_COOKIE}=` });
    expect(empty).toMatchObject({ read: { ambiguous: false }, has: true });
    expect(empty.read.token).toBeUndefined();
    expect(await inspect(production, { cookie: `theme=dark; ${REFRESH_COOKIE}=tok-1` })).toEqual({ read: { token: 'tok-1', ambiguous: false }, has: true, fromAllowed: false });
  });

  it('two cookies of that name (cookie tossing) are ambiguous and give no token, wherever they stand', async () => {
    for (const cookie of [`${REFRESH_COOKIE}=a; ${REFRESH_COOKIE}=b`, `theme=dark; ${REFRESH_COOKIE}=a;${REFRESH_COOKIE}=b`, `${REFRESH_COOKIE}=a; x=1; ${REFRESH_COOKIE}=`]) {
      const seen = await inspect(production, { cookie });
      expect(seen, cookie).toMatchObject({ read: { ambiguous: true }, has: true });
      expect(seen.read.token).toBeUndefined();
    }
  });
});

describe('delivering and clearing', () => {
  const deliver = (payload: object) => production.inject({ method: 'POST', url: '/deliver', payload });

  it('cookie mode moves the refresh token into an HttpOnly, Secure, SameSite=Strict cookie on /v1/auth living as long as the token', async () => {
    const res = await deliver({ mode: true, result: pair });
    const { refreshToken, ...rest } = pair;
    expect(res.json()).toEqual(rest);
    const cookie = refreshCookieOf(res);
    expect(cookie?.value).toBe(refreshToken);
    expect(Object.fromEntries(cookie?.attributes ?? [])).toEqual({ 'max-age': '3600', path: '/v1/auth', httponly: '', secure: '', samesite: 'Strict' });
    // A token already past its life gives a cookie that is gone at once, never a negative age.
    expect(refreshCookieOf(await deliver({ mode: true, result: { ...pair, refreshExpiresIn: -5 } }))?.attributes.get('max-age')).toBe('0');
  });

  it('other modes and answers without a refresh token pass unchanged, without a cookie', async () => {
    for (const mode of [false, undefined]) {
      const res = await deliver(mode === undefined ? { result: pair } : { mode, result: pair });
      expect(res.json()).toEqual(pair);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const challenge = { mfaRequired: true, mfaToken: 'm' };
    const res = await deliver({ mode: true, result: challenge });
    expect(res.json()).toEqual(challenge);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('clear sends an empty cookie on the same path that expired long ago', async () => {
    const cookie = refreshCookieOf(await production.inject({ method: 'POST', url: '/clear' }));
    expect(cookie?.value).toBe('');
    expect(Object.fromEntries(cookie?.attributes ?? [])).toEqual({
      'max-age': '0',
      expires: new Date(0).toUTCString(),
      path: '/v1/auth',
      httponly: '',
      secure: '',
      samesite: 'Strict',
    });
  });
});
