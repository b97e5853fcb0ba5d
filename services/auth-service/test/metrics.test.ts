import { serveMetrics } from '@authmeet/http-kit';
import { craftAssertion, createTestDatabase, freePort, lintMetrics, softwarePasskey } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { caller } from './admin/admin-kit.js';
import { bearer, registerAndLogin } from './factories.js';
import { startFakeGoogle } from './fake-google.js';
import type { FakeGoogle } from './fake-google.js';
import { firstStep, totp, userWithMfa, verify } from './mfa-kit.js';
import { APP_CALLBACK, REDIRECT_URI, googleAccount } from './oauth-kit.js';
import { migrationsDir, testConfig, testKeyRing } from './test-app.js';
import type { TestContext } from './test-app.js';
import type { HttpApp } from '@authmeet/http-kit';

let app: HttpApp;
let db: TestDatabase;
let ctx: TestContext;
let google: FakeGoogle;
let apiUrl: string;
let metricsUrl: string;
beforeAll(async () => {
  db = await createTestDatabase('auth_metrics', migrationsDir);
  google = await startFakeGoogle({ redirectUri: REDIRECT_URI });
  const [apiPort, metricsPort] = await Promise.all([freePort(), freePort()]);
  const config = testConfig(db.url, {
    METRICS_PORT: String(metricsPort),
    // Every way to sign in is on, so each method's attempts can be counted.
    GOOGLE_ISSUER: google.issuer,
    GOOGLE_CLIENT_ID: google.clientId,
    GOOGLE_CLIENT_SECRET: google.clientSecret,
    GOOGLE_REDIRECT_URI: REDIRECT_URI,
    OAUTH_REDIRECT_ALLOWLIST: 'https://app.example.com/auth',
    WEBAUTHN_RP_ID: 'app.example.com',
    WEBAUTHN_ORIGINS: 'https://app.example.com',
  });
  const keyRing = await testKeyRing();
  app = await buildApp(config, { logger: false, keyRing });
  // As main.ts does: the metrics listener is the app's, closed with it.
  await serveMetrics(app, { host: '127.0.0.1', port: config.http.metricsPort });
  await app.listen({ host: '127.0.0.1', port: apiPort });
  apiUrl = `http://127.0.0.1:${apiPort}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  ctx = { app, config, db, keyRing, close: async () => undefined };
});
afterAll(async () => {
  await app?.close();
  await google?.close();
  await db?.drop();
});

const scrape = async () => {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};
const post = (path: string, body: unknown) =>
  fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sample = (text: string, name: string, labels: Record<string, string>) => {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

/** How much each labelled sample of `name` grew while `during` ran, read from /metrics before and after. */
async function growth(name: string, during: () => Promise<void>) {
  const before = await scrape();
  await during();
  const after = await scrape();
  return (labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
}

describe('metrics', () => {
  it('report live sessions', async () => {
    // Counted on the first scrape, then reused for a minute: this test scrapes first.
    await registerAndLogin(app);
    expect(sample(await scrape(), 'auth_sessions_active', {})).toBe(1);
  });

  it('are served on METRICS_PORT only, never on the API port', async () => {
    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(404);
    expect(await scrape()).toContain('http_request_duration_seconds_bucket');
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('count authentication attempts by method, outcome and a bounded reason', async () => {
    const count = (text: string, labels: Record<string, string>) => sample(text, 'auth_attempts_total', labels) ?? 0;
    const before = await scrape();
    const { input, tokens } = await registerAndLogin(app);
    expect((await post('/v1/auth/login', { identifier: input.email, password: 'Wrong-Password-123!' })).status).toBe(401);
    expect((await post('/v1/auth/login', { identifier: input.email })).status).toBe(400);
    expect((await post('/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(200);
    expect((await post('/v1/auth/refresh', { refreshToken: 'A'.repeat(86) })).status).toBe(401);
    const text = await scrape();
    expect(count(text, { method: 'password', outcome: 'success', reason: 'none' }) - count(before, { method: 'password', outcome: 'success', reason: 'none' })).toBe(1);
    expect(count(text, { method: 'password', outcome: 'failure', reason: 'INVALID_CREDENTIALS' }) - count(before, { method: 'password', outcome: 'failure', reason: 'INVALID_CREDENTIALS' })).toBe(1);
    expect(count(text, { method: 'password', outcome: 'failure', reason: 'VALIDATION_FAILED' }) - count(before, { method: 'password', outcome: 'failure', reason: 'VALIDATION_FAILED' })).toBe(1);
    expect(count(text, { method: 'refresh', outcome: 'success', reason: 'none' }) - count(before, { method: 'refresh', outcome: 'success', reason: 'none' })).toBe(1);
    expect(count(text, { method: 'refresh', outcome: 'failure', reason: 'REFRESH_TOKEN_INVALID' }) - count(before, { method: 'refresh', outcome: 'failure', reason: 'REFRESH_TOKEN_INVALID' })).toBe(1);
  });

  it('pass Prometheus naming lint (promtool check metrics)', async () => {
    const result = await lintMetrics(await scrape());
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('count second factors, passkeys and Google sign-ins, and a first factor that asks for a second as a challenge', async () => {
    const who = await userWithMfa(app);
    const key = softwarePasskey();
    const { user } = await registerAndLogin(app);
    await app.prisma.passkey.create({ data: { userId: user.id, credentialId: key.credentialId, publicKey: key.cosePublicKey, deviceType: 'singleDevice', name: 'Key' } });
    const passkeyLogin = async (signCount: number) => {
      const options = (await app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/options', payload: {} })).json() as { challengeId: string; options: { challenge: string } };
      const response = craftAssertion({ ...key, signCount, rpId: 'app.example.com', origin: 'https://app.example.com', challenge: options.options.challenge });
      return app.inject({ method: 'POST', url: '/v1/auth/passkeys/login/verify', payload: { challengeId: options.challengeId, response } });
    };
    const googleSignIn = async (decline: boolean) => {
      const start = await app.inject({ method: 'GET', url: `/v1/auth/oauth/google/start?redirectTo=${encodeURIComponent(APP_CALLBACK)}` });
      expect(start.statusCode, start.body).toBe(302);
      if (decline) google.decline();
      else google.signInAs(googleAccount());
      const callbackUrl = await google.authorize(String(start.headers.location));
      const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
      const landed = await app.inject({ method: 'GET', url: `/v1/auth/oauth/google/callback${callbackUrl.search}`, headers: { cookie } });
      expect(landed.statusCode, landed.body).toBe(302);
      return new URL(String(landed.headers.location));
    };

    const grew = await growth('auth_attempts_total', async () => {
      const mfaToken = await firstStep(app, who);
      expect((await verify(app, { mfaToken, code: '000000' })).statusCode).toBe(401);
      expect((await verify(app, { mfaToken, code: await totp(who.secret) })).statusCode).toBe(200);
      expect((await passkeyLogin(1)).statusCode).toBe(200);
      expect((await passkeyLogin(1)).statusCode).toBe(401);
      expect((await googleSignIn(true)).searchParams.get('error')).toBe('FORBIDDEN');
      const code = (await googleSignIn(false)).searchParams.get('code');
      expect((await app.inject({ method: 'POST', url: '/v1/auth/oauth/exchange', payload: { code } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/v1/auth/oauth/exchange', payload: { code } })).statusCode).toBe(400);
    });
    expect(grew({ method: 'password', outcome: 'challenge', reason: 'none' })).toBe(1);
    expect(grew({ method: 'password', outcome: 'success', reason: 'none' })).toBe(0);
    expect(grew({ method: 'mfa', outcome: 'failure', reason: 'MFA_CODE_INVALID' })).toBe(1);
    expect(grew({ method: 'mfa', outcome: 'success', reason: 'none' })).toBe(1);
    expect(grew({ method: 'passkey', outcome: 'success', reason: 'none' })).toBe(1);
    expect(grew({ method: 'passkey', outcome: 'failure', reason: 'PASSKEY_INVALID' })).toBe(1);
    // The declined sign-in ends at the callback; the successful one is counted once, at the exchange.
    expect(grew({ method: 'google', outcome: 'failure', reason: 'FORBIDDEN' })).toBe(1);
    expect(grew({ method: 'google', outcome: 'success', reason: 'none' })).toBe(1);
    expect(grew({ method: 'google', outcome: 'failure', reason: 'TOKEN_INVALID' })).toBe(1);
  });

  it('count admin actions by audit event type', async () => {
    const admin = await caller(ctx, ['admin']);
    const { user } = await registerAndLogin(app);
    const plain = await registerAndLogin(app);
    const grew = await growth('admin_actions_total', async () => {
      const roles = await app.inject({ method: 'PUT', url: `/v1/admin/users/${user.id}/roles`, headers: admin.headers, payload: { roles: ['moderator'] } });
      expect(roles.statusCode, roles.body).toBe(200);
      const disabled = await app.inject({ method: 'POST', url: `/v1/admin/users/${user.id}/disable`, headers: admin.headers, payload: { reason: 'metrics' } });
      expect(disabled.statusCode, disabled.body).toBe(200);
      // Refused to a non-admin (403): not an admin action.
      expect((await app.inject({ method: 'POST', url: `/v1/admin/users/${admin.id}/disable`, headers: bearer(plain.tokens.accessToken), payload: { reason: 'x' } })).statusCode).toBe(403);
    });
    expect(grew({ type: 'admin.roles_changed' })).toBe(1);
    expect(grew({ type: 'admin.user_disabled' })).toBe(1);
    expect(grew({ type: 'admin.user_enabled' })).toBe(0);
  });

  it('count audit events that could not be written', async () => {
    const { input } = await registerAndLogin(app);
    // The database refuses this one kind of event (a trigger in this test's own database).
    await app.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_login_failed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'user.login.failed' THEN RAISE EXCEPTION 'audit store refuses'; END IF; RETURN NEW; END $$`);
    await app.prisma.$executeRawUnsafe('CREATE TRIGGER refuse_login_failed BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_login_failed()');
    try {
      const grew = await growth('audit_write_failures_total', async () => {
        // A refused sign-in keeps its answer when its event cannot be written.
        expect((await post('/v1/auth/login', { identifier: input.email, password: 'Wrong-Password-123!' })).status).toBe(401);
        expect((await post('/v1/auth/login', { identifier: input.email, password: input.password })).status).toBe(200);
      });
      expect(grew({ type: 'user.login.failed' })).toBe(1);
      expect(grew({ type: 'user.login.succeeded' })).toBe(0);
    } finally {
      await app.prisma.$executeRawUnsafe('DROP TRIGGER refuse_login_failed ON audit_events');
    }
  });
});
