import { afterAll, beforeAll, expect } from 'vitest';
import { startFakeGoogle } from './fake-google.js';
import type { FakeGoogle, GoogleAccount } from './fake-google.js';
import { startWithMail } from './mail-kit.js';
import type { MailContext } from './mail-kit.js';

export const REDIRECT_URI = 'https://auth.example.com/v1/auth/oauth/google/callback';
export const APP_CALLBACK = 'https://app.example.com/auth/callback';

let subjects = 0;

/** A fresh Google account (unique subject and address), verified unless overridden. */
export function googleAccount(overrides: Partial<GoogleAccount> = {}): GoogleAccount {
  subjects += 1;
  const sub = `1${Date.now()}${subjects}`;
  return { sub, email: `g.${sub}@gmail.example`, email_verified: true, given_name: 'Grace', family_name: 'Hopper', ...overrides };
}

/**
 * A local Google look-alike and an auth-service configured for it (with mail), started before
 * the file's tests; plus a scripted browser for the sign-in flow.
 */
export function useGoogleSignIn() {
  let google: FakeGoogle | undefined;
  let m: MailContext | undefined;
  beforeAll(async () => {
    google = await startFakeGoogle({ redirectUri: REDIRECT_URI });
    m = await startWithMail({
      GOOGLE_ISSUER: google.issuer,
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_REDIRECT_URI: REDIRECT_URI,
      OAUTH_REDIRECT_ALLOWLIST: 'https://app.example.com/auth, https://admin.example.com',
    });
  });
  afterAll(async () => {
    await m?.close();
    await google?.close();
  });

  const started = () => {
    if (!google || !m) throw new Error('useGoogleSignIn: not started yet');
    return { google, m };
  };
  const get = (url: string, headers: Record<string, string> = {}) => started().m.ctx.app.inject({ method: 'GET', url, headers });
  const exchange = (code: unknown) => started().m.ctx.app.inject({ method: 'POST', url: '/v1/auth/oauth/exchange', payload: { code } });
  const callback = (search: string, cookie?: string) => get(`/v1/auth/oauth/google/callback${search}`, cookie ? { cookie } : {});

  async function start(redirectTo = APP_CALLBACK) {
    const res = await get(`/v1/auth/oauth/google/start?redirectTo=${encodeURIComponent(redirectTo)}`);
    expect(res.statusCode, res.body).toBe(302);
    return { authUrl: new URL(String(res.headers.location)), cookie: String(res.headers['set-cookie']).split(';')[0] ?? '', res };
  }

  /** A browser doing the whole sign-in; returns the auth-service's final redirect. */
  async function signIn(account: GoogleAccount | 'decline', opts: { redirectTo?: string; tamperAuthUrl?: (u: URL) => void; cookie?: string | null } = {}) {
    const { google: provider } = started();
    const { authUrl, cookie } = await start(opts.redirectTo);
    opts.tamperAuthUrl?.(authUrl);
    if (account === 'decline') provider.decline();
    else provider.signInAs(account);
    const callbackUrl = await provider.authorize(authUrl.href);
    expect(callbackUrl.href.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const res = await callback(callbackUrl.search, opts.cookie === null ? undefined : (opts.cookie ?? cookie));
    const landed = res.statusCode === 302 ? new URL(String(res.headers.location)) : undefined;
    return { res, landed, callbackUrl, cookie };
  }

  async function signInForTokens(account: GoogleAccount) {
    const { landed } = await signIn(account);
    const code = landed?.searchParams.get('code');
    expect(code, landed?.href).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await exchange(code);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { accessToken: string; user: { id: string; email: string; emailVerified: boolean } };
  }

  return {
    get google() {
      return started().google;
    },
    get m() {
      return started().m;
    },
    get,
    exchange,
    callback,
    start,
    signIn,
    signInForTokens,
    userCount: () => started().m.ctx.app.prisma.user.count(),
  };
}
