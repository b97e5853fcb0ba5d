import { ConfigError } from '@authmeet/http-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(5001);
    expect(config.jwt.accessTokenTtlSec).toBe(900);
    expect(config.sessions).toEqual({ refreshTtlSec: 7 * 86400, absoluteTtlSec: 30 * 86400 });
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
});
