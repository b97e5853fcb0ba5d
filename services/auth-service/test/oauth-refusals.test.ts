import { Writable } from 'node:stream';
import { loggerOptions } from '@authmeet/http-kit';
import type { LoggerOptions } from '@authmeet/http-kit';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { expectProblem } from './factories.js';
import { APP_CALLBACK, googleAccount, REDIRECT_URI, useGoogleSignIn } from './oauth-kit.js';
import { startAuthService } from './test-app.js';

const g = useGoogleSignIn();
const { get, exchange, callback, start, signIn, userCount } = g;

describe('GET /v1/auth/oauth/google/start', () => {
  it('redirects to the provider with PKCE (S256), state and nonce, and binds the flow to the browser with a cookie', async () => {
    const { authUrl, res } = await start();
    expect(authUrl.origin).toBe(g.google.issuer);
    const p = authUrl.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(g.google.clientId);
    expect(p.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(p.get('scope')?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(String(res.headers['set-cookie'])).toMatch(/^am_oauth_binding=[A-Za-z0-9_-]{43}; Path=\/v1\/auth\/oauth\/google; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['another site', 'https://evil.example.com/auth/callback'],
    ['a look-alike host', 'https://app.example.com.evil.example/auth/callback'],
    ['credentials before the host', 'https://app.example.com@evil.example/auth/callback'],
    ['a scheme-relative URL', '//evil.example/auth/callback'],
    ['a relative path', '/auth/callback'],
    ['plain http', 'http://app.example.com/auth/callback'],
    ['another port', 'https://app.example.com:8443/auth/callback'],
    ['a path beside the prefix', 'https://app.example.com/authx'],
    ['dot segments out of the prefix', 'https://app.example.com/auth/../admin'],
    ['encoded dot segments', 'https://app.example.com/auth/%2e%2e/admin'],
    ['an encoded slash', 'https://app.example.com/auth%2F..%2Fadmin'],
    ['a backslash', 'https://app.example.com\\@evil.example/auth'],
    ['javascript:', 'javascript:alert(1)//https://app.example.com/auth'],
    ['data:', 'data:text/html,https://app.example.com/auth'],
  ])('refuses a redirectTo off the allowlist: %s', async (_label, redirectTo) => {
    const res = await get(`/v1/auth/oauth/google/start?redirectTo=${encodeURIComponent(redirectTo)}`);
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: 'redirectTo', message: 'is not an allowed redirect target' }]);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('Google sign-in refusals', () => {
  it('a tampered or missing state is a 400 problem (no trusted target to redirect to), and nothing is created', async () => {
    const { authUrl } = await start();
    g.google.signInAs(googleAccount());
    const callbackUrl = await g.google.authorize(authUrl.href);
    const before = await userCount();
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')?.slice(0, -2)}xx`);
    expectProblem(await callback(tampered.search), 400, 'TOKEN_INVALID');
    const missing = new URL(callbackUrl);
    missing.searchParams.delete('state');
    expectProblem(await callback(missing.search), 400, 'TOKEN_INVALID');
    expect(await userCount()).toBe(before);
  });

  it('a callback in another browser (binding cookie missing or wrong) → error=TOKEN_INVALID', async () => {
    const before = await userCount();
    expect((await signIn(googleAccount(), { cookie: null })).landed?.href).toBe(`${APP_CALLBACK}?error=TOKEN_INVALID`);
    const wrong = await signIn(googleAccount(), { cookie: `am_oauth_binding=${'A'.repeat(43)}` });
    expect(wrong.landed?.href).toBe(`${APP_CALLBACK}?error=TOKEN_INVALID`);
    expect(await userCount()).toBe(before);
  });

  it('a replayed callback is refused (state is single-use), and so is the provider code under a fresh state', async () => {
    const { callbackUrl, cookie, landed } = await signIn(googleAccount());
    expect(landed?.searchParams.get('code')).toBeTruthy();
    expectProblem(await callback(callbackUrl.search, cookie), 400, 'TOKEN_INVALID');

    const fresh = await start();
    const replay = new URL(callbackUrl);
    replay.searchParams.set('state', String(fresh.authUrl.searchParams.get('state')));
    const res = await callback(replay.search, fresh.cookie);
    expect(res.headers.location).toBe(`${APP_CALLBACK}?error=TOKEN_INVALID`);
  });

  it('an ID token with the wrong nonce → error=TOKEN_INVALID, nothing created', async () => {
    const before = await userCount();
    const { landed } = await signIn(googleAccount(), { tamperAuthUrl: (u) => u.searchParams.set('nonce', 'attacker-chosen-nonce-0123456789abcdef') });
    expect(landed?.href).toBe(`${APP_CALLBACK}?error=TOKEN_INVALID`);
    expect(await userCount()).toBe(before);
  });

  it('a user who declines at the provider → error=FORBIDDEN', async () => {
    const { landed } = await signIn('decline');
    expect(landed?.href).toBe(`${APP_CALLBACK}?error=FORBIDDEN`);
  });

  it('junk and unknown exchange codes → TOKEN_INVALID', async () => {
    expectProblem(await exchange('A'.repeat(43)), 400, 'TOKEN_INVALID');
    expectProblem(await exchange('{"$ne":null}'), 400, 'TOKEN_INVALID');
    expectProblem(await g.m.ctx.app.inject({ method: 'POST', url: '/v1/auth/oauth/exchange', payload: {} }), 400, 'VALIDATION_FAILED');
  });
});

describe('Google sign-in not configured, or the provider down', () => {
  it('not configured: 404 on start; provider unreachable: 503 on start', async () => {
    const off = await startAuthService();
    const down = await startAuthService({ GOOGLE_ISSUER: 'http://127.0.0.1:9', GOOGLE_CLIENT_ID: 'x', GOOGLE_CLIENT_SECRET: 'y', OAUTH_HTTP_TIMEOUT_MS: '1000' });
    try {
      expectProblem(await off.app.inject({ method: 'GET', url: '/v1/auth/oauth/google/start' }), 404, 'NOT_FOUND');
      const res = await down.app.inject({ method: 'GET', url: '/v1/auth/oauth/google/start' });
      expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await Promise.all([off.close(), down.close()]);
    }
  });
});

describe('logs of the callback', () => {
  it('never carry the provider code or the state from its query string', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildApp(g.m.ctx.config, { logger: { ...loggerOptions('auth-service', { level: 'debug', pretty: false }), stream } as LoggerOptions, keyRing: g.m.ctx.keyRing });
    try {
      const res = await app.inject({ method: 'GET', url: '/v1/auth/oauth/google/callback?code=PROBE-CODE-1&state=PROBE-STATE-2' });
      expectProblem(res, 400, 'TOKEN_INVALID');
      const all = lines.join('');
      expect(all).toContain('/v1/auth/oauth/google/callback?[redacted]');
      expect(all).not.toMatch(/PROBE-(CODE|STATE)/);
    } finally {
      await app.close();
    }
  });
});
