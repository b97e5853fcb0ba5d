import { ConfigError } from '@authmeet/http-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadMigrationConfig } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(5001);
    expect(config.jwt.accessTokenTtlSec).toBe(900);
    expect(config.sessions).toEqual({ refreshTtlSec: 7 * 86400, absoluteTtlSec: 30 * 86400, refreshReuseGraceSec: 10 });
    expect(config.argon2).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(config.http.trustProxy).toBe(false);
  });

  it('fails fast naming every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ACCESS_TOKEN_TTL: 'soon', ARGON2_MEMORY_KIB: '1024', TRUST_PROXY: 'true' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'ACCESS_TOKEN_TTL', 'ARGON2_MEMORY_KIB', 'TRUST_PROXY']) expect(message).toContain(name);
  });

  it('refuses production without signing keys or service keys', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_PRIVATE_JWKS[\s\S]*SERVICE_KEYS/);
  });

  it('parses TRUST_PROXY hop counts and CIDR lists, and CORS origins', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.0.1' }).http.trustProxy).toEqual(['10.0.0.0/8', '192.168.0.1']);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('account flows: development defaults point at the local SMTP server and the web app behind pnpm dev\'s ingress', () => {
    const config = loadConfig({});
    expect(config.mail.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(config.account).toMatchObject({
      verifyEmailUrl: 'http://localhost:8080/verify-email',
      resetPasswordUrl: 'http://localhost:8080/reset-password',
      verificationTtlSec: 86400,
      resetTtlSec: 3600,
    });
    expect(config.google).toMatchObject({
      enabled: false,
      issuer: 'https://accounts.google.com',
      redirectUri: 'http://localhost:8080/v1/auth/oauth/google/callback',
    });
    expect(config.oauth).toMatchObject({ redirectAllowlist: ['http://localhost:8080'], codeTtlSec: 60 });
    expect(config.webauthn).toMatchObject({ rpId: 'localhost', origins: ['http://localhost:8080'] });
    // The ingress on another port (INGRESS_PORT, as pnpm dev passes it to every task).
    expect(loadConfig({ INGRESS_PORT: '8181' }).account.verifyEmailUrl).toBe('http://localhost:8181/verify-email');
    const behind = loadConfig({ APP_BASE_URL: 'https://app.example.com/', AUTH_PUBLIC_URL: 'https://auth.example.com' });
    expect(behind.google.redirectUri).toBe('https://auth.example.com/v1/auth/oauth/google/callback');
    expect(behind.account.verifyEmailUrl).toBe('https://app.example.com/verify-email');
  });

  it('account flows: production needs SMTP and the app URL; Google needs its secret, https and sane allowlist entries', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/APP_BASE_URL[\s\S]*SMTP_URL/);
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id' })).toThrow(/GOOGLE_CLIENT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 's', GOOGLE_ISSUER: 'http://idp.local' })).toThrow(
      /GOOGLE_ISSUER: must be https/,
    );
    expect(() => loadConfig({ OAUTH_REDIRECT_ALLOWLIST: 'https://ok.example, evil.example' })).toThrow(/OAUTH_REDIRECT_ALLOWLIST\.1/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
  });

  it('profile pictures: production names the public URL; dev defaults point at dev-s3; key pairs go together', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AVATAR_PUBLIC_BASE_URL/);
    expect(() => loadConfig({ S3_ACCESS_KEY_ID: 'only-half' })).toThrow(/S3_SECRET_ACCESS_KEY/);
    const dev = loadConfig({}).avatars;
    expect(dev.s3).toMatchObject({ endpoint: 'http://127.0.0.1:4569', bucket: 'avatars', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER' } });
    expect(dev.publicBaseUrl).toBe('http://127.0.0.1:4569/avatars');
    const r2 = loadConfig({ S3_ENDPOINT: 'https://acc.r2.cloudflarestorage.com/', S3_REGION: 'auto', S3_FORCE_PATH_STYLE: 'false', AVATAR_PUBLIC_BASE_URL: 'https://pics.example.com/' }).avatars;
    expect(r2.s3).toMatchObject({ endpoint: 'https://acc.r2.cloudflarestorage.com', region: 'auto', forcePathStyle: false });
    expect(r2.publicBaseUrl).toBe('https://pics.example.com');
  });

  it('the migration entry needs only DATABASE_URL, even in production', () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db.internal/x' };
    expect(() => loadConfig(env)).toThrow();
    expect(loadMigrationConfig(env)).toEqual({ env: 'production', database: { url: 'postgresql://db.internal/x' } });
  });

  it('migrations use DATABASE_DIRECT_URL when set: their advisory lock cannot pass a transaction-mode pooler', () => {
    const env = { DATABASE_URL: 'postgresql://pgbouncer:6432/x', DATABASE_DIRECT_URL: 'postgresql://db.internal:5432/x' };
    expect(loadMigrationConfig(env).database.url).toBe('postgresql://db.internal:5432/x');
    expect(loadConfig(env).database).toMatchObject({ url: 'postgresql://pgbouncer:6432/x', directUrl: 'postgresql://db.internal:5432/x' });
  });
});
