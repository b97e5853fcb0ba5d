import { randomBytes } from 'node:crypto';
import { craftAssertion, softwarePasskey } from '@authmeet/test-kit';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserSessions, REFRESH_COOKIE } from '../src/modules/sessions/browser-sessions.js';
import { caller } from './admin/admin-kit.js';
import { bearer, expectProblem, registerUser } from './factories.js';
import type { TokensBody } from './factories.js';
import { firstStep, totp, userWithMfa } from './mfa-kit.js';
import { googleAccount, useGoogleSignIn } from './oauth-kit.js';
import { startAuthService, testConfig } from './test-app.js';
import type { TestContext } from './test-app.js';

// Browser sessions in cookie mode (api.md "Browser sessions"). The app's clock runs `skewMs`
// ahead of the wall clock, so a test can step past the refresh grace.
const APP = 'https://app.example.com';
const SPA = 'https://spa.example.com';
let skewMs = 0;
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService(
    { REFRESH_REUSE_GRACE: '10s', CORS_ORIGINS: SPA, WEBAUTHN_RP_ID: 'app.example.com', WEBAUTHN_ORIGINS: APP },
    { clock: () => Date.now() + skewMs },
  );
});
afterAll(async () => ctx.close());

interface SetCookie {
  value: string;
  attributes: Map<string, string>;
}

/** The response's Set-Cookie for the refresh cookie, parsed; at most one may be sent. */
function refreshCookieOf(res: LightMyRequestResponse): SetCookie | undefined {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const mine = list.filter((c) => c.startsWith(`${REFRESH_COOKIE}=`));
  expect(mine.length).toBeLessThanOrEqual(1);
  const [pair = '', ...attrs] = (mine[0] ?? '').split(';').map((s) => s.trim());
  if (mine[0] === undefined) return undefined;
  const attributes = new Map(attrs.map((a): [string, string] => [a.split('=')[0]?.toLowerCase() ?? '', a.split('=').slice(1).join('=')]));
  return { value: pair.slice(REFRESH_COOKIE.length + 1), attributes };
}

/** The cookie a response set: HttpOnly, Secure, SameSite=Strict, scoped to /v1/auth, living as long as the token. */
function expectSet(res: LightMyRequestResponse): { token: string; body: TokensBody } {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as TokensBody;
  // The token is in the cookie only: no script of the page ever sees it.
  expect(body).not.toHaveProperty('refreshToken');
  expect(body.accessToken).toMatch(/\S/);
  const cookie = refreshCookieOf(res);
  expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{86}$/);
  expect(Object.fromEntries(cookie?.attributes ?? [])).toEqual({
    path: '/v1/auth',
    httponly: '',
    secure: '',
    samesite: 'Strict',
    'max-age': String(body.refreshExpiresIn),
  });
  expect(res.headers['cache-control']).toBe('no-store');
  return { token: cookie?.value ?? '', body };
}

/** The response told the browser to forget the cookie. */
function expectCleared(res: LightMyRequestResponse) {
  const cookie = refreshCookieOf(res);
  expect(cookie?.value).toBe('');
  expect(cookie?.attributes.get('max-age')).toBe('0');
  expect(new Date(cookie?.attributes.get('expires') ?? '').getTime()).toBe(0);
  expect(cookie?.attributes.get('path')).toBe('/v1/auth');
}

/** A browser tab of `origin` (null: a client that sends none): sends its cookie (if any) and Origin, keeps what is set. */
function browserAt(origin: string | null, app = () => ctx.app) {
  let cookie: string | undefined;
  return {
    get cookie() {
      return cookie;
    },
    set cookie(value: string | undefined) {
      cookie = value;
    },
    async post(url: string, payload?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const res = await app().inject({
        method: 'POST',
        url,
        ...(payload === undefined ? {} : { payload }),
        headers: { ...(origin === null ? {} : { origin }), ...(cookie === undefined ? {} : { cookie: `${REFRESH_COOKIE}=${cookie}` }), ...headers },
      });
      const set = refreshCookieOf(res);
      if (set) cookie = set.attributes.get('max-age') === '0' ? undefined : set.value;
      return res;
    },
  };
}

async function signedInBrowser(origin = APP) {
  const { input, user } = await registerUser(ctx.app);
  const tab = browserAt(origin);
  const { token, body } = expectSet(await tab.post('/v1/auth/login', { identifier: input.email, password: input.password, cookie: true }));
  return { tab, token, body, input, user };
}

const verify = (token: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/verify-token', payload: { token } });

describe('login in cookie mode', () => {
  it('sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on /v1/auth whose Max-Age is the token’s life', async () => {
    const { tab, token, body } = await signedInBrowser();
    expect(body.refreshExpiresIn).toBe(ctx.config.sessions.refreshTtlSec);
    expect((await verify(body.accessToken)).statusCode).toBe(200);
    // The cookie is a working refresh token (a reload: refresh from the cookie alone).
    const reloaded = expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
    expect(reloaded.token).not.toBe(token);
    expect(reloaded.body.sessionId).toBe(body.sessionId);
    expect((await verify(reloaded.body.accessToken)).statusCode).toBe(200);
  });

  it('body mode is unchanged for other clients: the token in the body, no cookie', async () => {
    const { input } = await registerUser(ctx.app);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: input.password } });
    expect(res.statusCode).toBe(200);
    expect((res.json() as TokensBody).refreshToken).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('works from every allowed origin: the web app, the CORS allowlist, loopback outside production', async () => {
    for (const origin of [APP, SPA, 'http://localhost:8080', 'http://127.0.0.1:5173']) await signedInBrowser(origin);
  });
});

describe('Origin: cookie mode is refused to any request not from an allowed browser origin', () => {
  const foreign = [null, 'https://evil.example', 'null', 'https://app.example.com.evil.example', 'http://app.example.com', 'https://localhost'];

  it.each(foreign)('login from %s: 403 ORIGIN_NOT_ALLOWED, no cookie, before the password is looked at', async (origin) => {
    const { input } = await registerUser(ctx.app);
    const res = await browserAt(origin).post('/v1/auth/login', { identifier: input.email, password: 'wrong-password', cookie: true });
    expectProblem(res, 403, 'ORIGIN_NOT_ALLOWED');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each(foreign)('refresh and logout from %s cannot use the cookie; the session and its token stay as they were', async (origin) => {
    const { token, body } = await signedInBrowser();
    const attacker = browserAt(origin);
    // The browser would attach the cookie to a cross-site request if SameSite did not stop it.
    attacker.cookie = token;
    const refreshed = await attacker.post('/v1/auth/refresh', { cookie: true });
    expectProblem(refreshed, 403, 'ORIGIN_NOT_ALLOWED');
    expect(refreshed.headers['set-cookie']).toBeUndefined();
    const loggedOut = await attacker.post('/v1/auth/logout');
    expectProblem(loggedOut, 403, 'ORIGIN_NOT_ALLOWED');
    expect(loggedOut.headers['set-cookie']).toBeUndefined();
    // Not rotated (no reuse later), not revoked.
    expect((await verify(body.accessToken)).statusCode).toBe(200);
    const owner = browserAt(APP);
    owner.cookie = token;
    expectSet(await owner.post('/v1/auth/refresh', { cookie: true }));
  });

  it('CORS lets the allowlisted origins send the cookie (credentials), and only them', async () => {
    const preflight = (origin: string) =>
      ctx.app.inject({ method: 'OPTIONS', url: '/v1/auth/refresh', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const allowed = await preflight(SPA);
    expect(allowed.headers['access-control-allow-origin']).toBe(SPA);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('the allowed origins come from config: CORS_ORIGINS and APP_BASE_URL; loopback only outside production', () => {
    expect(ctx.config.browserSessions).toEqual({ origins: [SPA, APP], allowLoopback: true });
    const production = createBrowserSessions({ origins: [APP], allowLoopback: false });
    expect(production.isAllowedOrigin(APP)).toBe(true);
    for (const origin of ['http://localhost:8080', 'http://127.0.0.1', `${APP}/`, 'https://APP.example.com', undefined]) {
      expect(production.isAllowedOrigin(origin), origin).toBe(false);
    }
    const dev = testConfig('postgresql://unused', { CORS_ORIGINS: '' });
    expect(dev.browserSessions.origins).toEqual([APP]);
  });
});

describe('refresh in cookie mode', () => {
  it('rotates the cookie: the old token is not answered anywhere, the new one is the live one', async () => {
    const { tab, token } = await signedInBrowser();
    const first = expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
    const second = expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
    expect(new Set([token, first.token, second.token]).size).toBe(3);
    expect(second.body.refreshExpiresIn).toBe(ctx.config.sessions.refreshTtlSec);
  });

  it('one source only: a body token with cookie: true, or neither, is 400; body mode ignores the cookie', async () => {
    const a = await signedInBrowser();
    expectProblem(await a.tab.post('/v1/auth/refresh', { cookie: true, refreshToken: a.token }), 400, 'VALIDATION_FAILED');
    expectProblem(await a.tab.post('/v1/auth/refresh', {}), 400, 'VALIDATION_FAILED');
    expectProblem(await a.tab.post('/v1/auth/refresh', { cookie: false }), 400, 'VALIDATION_FAILED');

    // Body mode with another session's cookie attached: the body's token is rotated, the cookie
    // is neither read nor touched.
    const { input } = await registerUser(ctx.app);
    const other = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: input.password } })).json() as TokensBody;
    const res = await a.tab.post('/v1/auth/refresh', { refreshToken: other.refreshToken });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as TokensBody).sessionId).toBe(other.sessionId);
    expect((res.json() as TokensBody).refreshToken).toMatch(/\S/);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(a.tab.cookie).toBe(a.token);
    expectSet(await a.tab.post('/v1/auth/refresh', { cookie: true }));
  });

  it('without a cookie: 401 REFRESH_TOKEN_INVALID (a page load with no session)', async () => {
    const res = await browserAt(APP).post('/v1/auth/refresh', { cookie: true });
    expectProblem(res, 401, 'REFRESH_TOKEN_INVALID');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('two refresh cookies (one planted by a sibling subdomain) are refused, not guessed between, and not cleared', async () => {
    const victim = await signedInBrowser();
    const attacker = await signedInBrowser();
    for (const cookie of [`${REFRESH_COOKIE}=${attacker.token}; ${REFRESH_COOKIE}=${victim.token}`, `${REFRESH_COOKIE}=${victim.token}; x=1; ${REFRESH_COOKIE}=${attacker.token}`]) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { cookie: true }, headers: { origin: APP, cookie } });
      expectProblem(res, 401, 'REFRESH_TOKEN_INVALID');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // Nothing was rotated.
    expectSet(await victim.tab.post('/v1/auth/refresh', { cookie: true }));
    expectSet(await attacker.tab.post('/v1/auth/refresh', { cookie: true }));
  });

  it('tabs refreshing at once within the grace all get the same successor cookie', async () => {
    const { token } = await signedInBrowser();
    const tabs = [browserAt(APP), browserAt(APP), browserAt(APP)];
    for (const tab of tabs) tab.cookie = token;
    const answers = await Promise.all(tabs.map((tab) => tab.post('/v1/auth/refresh', { cookie: true })));
    const successors = new Set(answers.map((res) => expectSet(res).token));
    expect(successors.size).toBe(1);
    skewMs = 9_000;
    try {
      const late = browserAt(APP);
      late.cookie = token;
      expect(expectSet(await late.post('/v1/auth/refresh', { cookie: true })).token).toBe([...successors][0]);
    } finally {
      skewMs = 0;
    }
  });

  it('a rotated cookie presented after the grace is reuse: the session is revoked and the cookie cleared', async () => {
    const { tab, token } = await signedInBrowser();
    const rotated = expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
    const thief = browserAt(APP);
    thief.cookie = token;
    skewMs = 11_000;
    let reused: LightMyRequestResponse;
    try {
      reused = await thief.post('/v1/auth/refresh', { cookie: true });
    } finally {
      skewMs = 0;
    }
    expectProblem(reused, 401, 'REFRESH_TOKEN_REUSED');
    expectCleared(reused);
    expectProblem(await verify(rotated.body.accessToken), 401, 'TOKEN_REVOKED');
    const owner = await tab.post('/v1/auth/refresh', { cookie: true });
    expectProblem(owner, 401, 'REFRESH_TOKEN_INVALID');
    expectCleared(owner);
  });

  it('a disabled user’s cookie refresh is 403 ACCOUNT_DISABLED and clears the cookie', async () => {
    const { tab, user } = await signedInBrowser();
    const admin = await caller(ctx, ['admin']);
    const disabled = await ctx.app.inject({ method: 'POST', url: `/v1/admin/users/${user.id}/disable`, headers: admin.headers, payload: { reason: 'test' } });
    expect(disabled.statusCode, disabled.body).toBe(200);
    const res = await tab.post('/v1/auth/refresh', { cookie: true });
    expectProblem(res, 403, 'ACCOUNT_DISABLED');
    expectCleared(res);
  });
});

describe('logout in cookie mode', () => {
  it('with the cookie alone: ends its session and clears the cookie', async () => {
    const { tab, token, body } = await signedInBrowser();
    const res = await tab.post('/v1/auth/logout');
    expect(res.statusCode, res.body).toBe(204);
    expectCleared(res);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(tab.cookie).toBeUndefined();
    expectProblem(await verify(body.accessToken), 401, 'TOKEN_REVOKED');
    const replay = browserAt(APP);
    replay.cookie = token;
    expectProblem(await replay.post('/v1/auth/refresh', { cookie: true }), 401, 'REFRESH_TOKEN_INVALID');
  });

  it('with the Bearer token and the cookie: both sessions end (one browser), the cookie is cleared', async () => {
    const a = await signedInBrowser();
    const b = browserAt(APP);
    const second = expectSet(await b.post('/v1/auth/login', { identifier: a.input.email, password: a.input.password, cookie: true }));
    // A tab still holding the first session's access token, in a browser whose cookie is now the second session's.
    const res = await b.post('/v1/auth/logout', undefined, bearer(a.body.accessToken));
    expect(res.statusCode, res.body).toBe(204);
    expectCleared(res);
    expectProblem(await verify(a.body.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await verify(second.body.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('a rotated cookie (a tab that missed the rotation) still names its session: logout ends it', async () => {
    const { tab, token } = await signedInBrowser();
    const rotated = expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
    const stale = browserAt(APP);
    stale.cookie = token;
    const res = await stale.post('/v1/auth/logout');
    expect(res.statusCode, res.body).toBe(204);
    expectCleared(res);
    expectProblem(await verify(rotated.body.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('a cookie naming no live session is just cleared: a forged one ends nothing', async () => {
    const victim = await signedInBrowser();
    // The victim's ids with a secret of the attacker's choosing.
    const raw = Buffer.from(victim.token, 'base64url');
    randomBytes(32).copy(raw, 32);
    const forger = browserAt(APP);
    forger.cookie = raw.toString('base64url');
    const res = await forger.post('/v1/auth/logout');
    expect(res.statusCode).toBe(204);
    expectCleared(res);
    expect((await verify(victim.body.accessToken)).statusCode).toBe(200);
    expectSet(await victim.tab.post('/v1/auth/refresh', { cookie: true }));
  });

  it('with neither a Bearer token nor the cookie: 401', async () => {
    expectProblem(await browserAt(APP).post('/v1/auth/logout'), 401, 'UNAUTHENTICATED');
  });

  it('logout-all ends every session server-side, clears this browser’s cookie; other browsers’ cookies stop working', async () => {
    const here = await signedInBrowser();
    const elsewhere = browserAt(APP);
    expectSet(await elsewhere.post('/v1/auth/login', { identifier: here.input.email, password: here.input.password, cookie: true }));
    const res = await here.tab.post('/v1/auth/logout-all', undefined, bearer(here.body.accessToken));
    expect(res.statusCode, res.body).toBe(204);
    expectCleared(res);
    const other = await elsewhere.post('/v1/auth/refresh', { cookie: true });
    expectProblem(other, 401, 'REFRESH_TOKEN_INVALID');
    expectCleared(other);
  });
});

describe('the second steps and other sign-ins in cookie mode', () => {
  it('mfa/verify: the challenge sets no cookie; the verified step does', async () => {
    const who = await userWithMfa(ctx.app);
    const tab = browserAt(APP);
    const challenge = await tab.post('/v1/auth/login', { identifier: who.input.email, password: who.input.password, cookie: true });
    expect(challenge.statusCode, challenge.body).toBe(200);
    expect(challenge.json()).toMatchObject({ mfaRequired: true });
    expect(challenge.headers['set-cookie']).toBeUndefined();
    const { mfaToken } = challenge.json() as { mfaToken: string };
    const code = await totp(who.secret);
    // From elsewhere: refused before the code or the token is looked at (neither is used up).
    expectProblem(await browserAt('https://evil.example').post('/v1/auth/mfa/verify', { mfaToken, code, cookie: true }), 403, 'ORIGIN_NOT_ALLOWED');
    const { body } = expectSet(await tab.post('/v1/auth/mfa/verify', { mfaToken, code, cookie: true }));
    expect(body.user.id).toBe(who.user.id);
    expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
  });

  it('mfa/verify without cookie mode answers the refresh token as before', async () => {
    const who = await userWithMfa(ctx.app);
    const mfaToken = await firstStep(ctx.app, who);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { mfaToken, code: await totp(who.secret) } });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as TokensBody).refreshToken).toMatch(/\S/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('passkeys/login/verify sets the cookie', async () => {
    const { user } = await registerUser(ctx.app);
    const key = softwarePasskey();
    await ctx.app.prisma.passkey.create({
      data: { userId: user.id, credentialId: key.credentialId, publicKey: key.cosePublicKey, deviceType: 'singleDevice', name: 'Soft key' },
    });
    const tab = browserAt(APP);
    const options = (await tab.post('/v1/auth/passkeys/login/options', {})).json() as { challengeId: string; options: { challenge: string } };
    const userHandle = Buffer.from(user.id.replaceAll('-', ''), 'hex').toString('base64url');
    const response = craftAssertion({ ...key, userHandle, signCount: 1, rpId: 'app.example.com', origin: APP, challenge: options.options.challenge });
    expectProblem(await browserAt(null).post('/v1/auth/passkeys/login/verify', { challengeId: options.challengeId, response, cookie: true }), 403, 'ORIGIN_NOT_ALLOWED');
    const { body } = expectSet(await tab.post('/v1/auth/passkeys/login/verify', { challengeId: options.challengeId, response, cookie: true }));
    expect(body.user.id).toBe(user.id);
    expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
  });
});

describe('oauth/exchange in cookie mode', () => {
  const g = useGoogleSignIn();

  it('sets the cookie for the code’s session; from a foreign origin the code is not used up', async () => {
    const { landed } = await g.signIn(googleAccount());
    const code = landed?.searchParams.get('code');
    expect(code).toMatch(/\S/);
    const tab = browserAt(APP, () => g.m.ctx.app);
    expectProblem(await browserAt('https://evil.example', () => g.m.ctx.app).post('/v1/auth/oauth/exchange', { code, cookie: true }), 403, 'ORIGIN_NOT_ALLOWED');
    const { body } = expectSet(await tab.post('/v1/auth/oauth/exchange', { code, cookie: true }));
    expect(body.user.email).toMatch(/@gmail\.example$/);
    expectSet(await tab.post('/v1/auth/refresh', { cookie: true }));
  });
});
