import { DEV_SERVICE_KEY } from '@authmeet/http-kit';
import { ConfigError } from '@authmeet/http-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadMigrationConfig } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({ SERVICE_KEYS: 'a,b' });
    expect(config.http.port).toBe(5000);
    expect(config.database.url).toBe('postgresql://postgres@127.0.0.1:5432/authmeet_meetings');
    expect(config.authService).toMatchObject({ url: 'http://127.0.0.1:5001', serviceKey: 'a' });
    expect(config.jwt).toMatchObject({
      jwksUrl: 'http://127.0.0.1:5001/.well-known/jwks.json',
      allowInsecureHttp: true,
      issuer: 'authmeet-auth',
      audience: 'authmeet',
    });
    expect(config.sse.heartbeatMs).toBe(15_000);
    expect(config.redis.keyPrefix).toBe('am:meetings:');
    expect(config.revocation.keyPrefix).toBe('am:');
  });

  it('derives the JWKS URL from AUTH_SERVICE_URL unless given', () => {
    expect(loadConfig({ AUTH_SERVICE_URL: 'https://auth.internal/' }).jwt.jwksUrl).toBe('https://auth.internal/.well-known/jwks.json');
    expect(loadConfig({ AUTH_JWKS_URL: 'https://keys.example/jwks' }).jwt.jwksUrl).toBe('https://keys.example/jwks');
    expect(loadConfig({ AUTH_SERVICE_KEY: 'k' }).authService.serviceKey).toBe('k');
    // Development: both services fall back to the same dev-only key, so they talk out of the box.
    expect(loadConfig({}).authService.serviceKey).toBe(DEV_SERVICE_KEY);
    expect(loadConfig({}).serviceKeys).toEqual([DEV_SERVICE_KEY]);
    expect(loadConfig({ SERVICE_KEYS: 'a,b' }).authService.serviceKey).toBe('a');
  });

  it('fails fast naming every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', AUTH_SERVICE_URL: 'ftp://x', SSE_HEARTBEAT_MS: '5', AUTH_JWKS_ALLOW_HTTP: 'maybe', AUTH_CLIENT_RETRIES: '-1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'AUTH_SERVICE_URL', 'SSE_HEARTBEAT_MS', 'AUTH_JWKS_ALLOW_HTTP', 'AUTH_CLIENT_RETRIES']) expect(message).toContain(name);
    expect(() => loadConfig({ AUTH_CLIENT_RETRY_MIN_MS: '500', AUTH_CLIENT_RETRY_MAX_MS: '100' })).toThrow(/AUTH_CLIENT_RETRY_MAX_MS/);
  });

  it('production refuses missing keys and plain-http JWKS by default', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SERVICE_KEYS[\s\S]*AUTH_SERVICE_KEY/);
    const prod = loadConfig({ NODE_ENV: 'production', SERVICE_KEYS: 'a', AUTH_SERVICE_KEY: 'b' });
    expect(prod.jwt.allowInsecureHttp).toBe(false);
    expect(prod.authService.serviceKey).toBe('b');
    expect(loadConfig({ NODE_ENV: 'production', SERVICE_KEYS: 'a', AUTH_SERVICE_KEY: 'b', AUTH_JWKS_ALLOW_HTTP: 'true' }).jwt.allowInsecureHttp).toBe(true);
  });

  it('the migration entry needs only DATABASE_URL, even in production', () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db.internal/x' };
    expect(() => loadConfig(env)).toThrow();
    expect(loadMigrationConfig(env)).toEqual({ env: 'production', database: { url: 'postgresql://db.internal/x' } });
  });
});
