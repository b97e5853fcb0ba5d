import { DEV_SERVICE_KEY, listenHost } from '@authmeet/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { expectProblem } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * `pnpm dev` used to listen on every interface and accept a service key that is in the source:
 * anyone on the same network could list every user. Development now listens on loopback, and
 * the built-in key opens internal routes only to callers on this machine.
 */
let dev: TestContext;
let configured: TestContext;

beforeAll(async () => {
  // No SERVICE_KEYS outside production: the built-in development key is the one accepted.
  dev = await startAuthService({ SERVICE_KEYS: '', TRUST_PROXY: '127.0.0.1' });
  configured = await startAuthService({ SERVICE_KEYS: 'a-real-secret-key-0123456789abcdef' });
});
afterAll(async () => {
  await dev.close();
  await configured.close();
});

const listUsers = (ctx: TestContext, key: string, remoteAddress: string, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url: '/internal/v1/users', remoteAddress, headers: { 'x-service-key': key, ...headers } });

describe('the built-in development service key', () => {
  it.each(['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1'])('opens internal routes from loopback %s', async (address) => {
    expect((await listUsers(dev, DEV_SERVICE_KEY, address)).statusCode).toBe(200);
  });

  it.each(['192.0.2.10', '10.0.0.5', '::ffff:192.0.2.10', 'fd00::2'])('is refused from %s', async (address) => {
    expectProblem(await listUsers(dev, DEV_SERVICE_KEY, address), 401, 'UNAUTHENTICATED');
  });

  it('is refused when a local proxy forwards a remote caller', async () => {
    const res = await listUsers(dev, DEV_SERVICE_KEY, '127.0.0.1', { 'x-forwarded-for': '192.0.2.10' });
    expectProblem(res, 401, 'UNAUTHENTICATED');
  });
});

describe('a configured service key', () => {
  it('works from any address (it is a real secret)', async () => {
    expect((await listUsers(configured, 'a-real-secret-key-0123456789abcdef', '192.0.2.10')).statusCode).toBe(200);
  });
});

describe('the listen address', () => {
  it('is loopback by default outside production', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).http.host).toBe('127.0.0.1');
    expect(listenHost({ NODE_ENV: 'development', HOST: undefined })).toBe('127.0.0.1');
  });

  it('is every interface in production, and whatever HOST says when it is set', () => {
    expect(listenHost({ NODE_ENV: 'production', HOST: undefined })).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
  });
});
