import type { AddressInfo } from 'node:net';
import { eventually, startPrivateRedis } from '@authmeet/test-kit';
import type { PrivateRedis } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem } from '../factories.js';
import { authFactories, authTestApp } from '../helpers/auth-service.js';
import type { AuthServiceContext } from '../helpers/auth-service.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

/**
 * Redis restarts with none of its data (no persistence on this private server). Sessions and
 * revocation markers are gone with it; a token whose session is gone must be refused by both
 * services, whether a replica saw the session before the loss or starts after it.
 */
let redis: PrivateRedis;
let auth: AuthServiceContext;
let before: MeetingsContext;
const extra: MeetingsContext[] = [];
let env: Record<string, string>;
let registerAndLogin: Awaited<ReturnType<typeof authFactories>>['registerAndLogin'];

beforeAll(async () => {
  redis = await startPrivateRedis();
  const { startAuthService, SERVICE_KEY: AUTH_SERVICE_KEY } = await authTestApp();
  ({ registerAndLogin } = await authFactories());
  auth = await startAuthService({ REDIS_URL: redis.url });
  await auth.app.listen({ port: 0, host: '127.0.0.1' });
  const authUrl = `http://127.0.0.1:${(auth.app.server.address() as AddressInfo).port}`;
  env = {
    REDIS_URL: redis.url,
    AUTH_SERVICE_URL: authUrl,
    AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
    AUTH_SERVICE_KEY,
    REDIS_KEY_PREFIX: auth.config.redis.keyPrefix,
  };
  before = await startMeetingsService(env);
});
afterAll(async () => {
  for (const m of extra) await m.close();
  await before?.close();
  await auth?.close();
  await redis?.stop();
});

const meetings = (m: MeetingsContext, token: string) => m.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) });
const me = (token: string) => auth.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });

describe('Redis restarted empty', () => {
  it('a logged-out session stays refused and an old live one is refused by both services', async () => {
    const { input, tokens: loggedOut } = await registerAndLogin(auth.app);
    const login = await auth.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: input.password } });
    const alive = login.json() as { accessToken: string };
    expect((await meetings(before, alive.accessToken)).statusCode).toBe(200);
    expect((await meetings(before, loggedOut.accessToken)).statusCode).toBe(200);
    expect((await auth.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(loggedOut.accessToken) })).statusCode).toBe(204);
    await eventually(async () => expect((await meetings(before, loggedOut.accessToken)).statusCode).toBe(401), 2000);

    await redis.restart();
    // Both services reconnect by themselves.
    await eventually(async () => expect((await auth.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200), 10_000, 100);
    await eventually(async () => expect(before.app.revocationView.stats().subscribed).toBe(true), 10_000, 100);

    const after = await startMeetingsService(env, { share: before });
    extra.push(after);

    // Logged out before the loss: refused by a replica that never heard of the logout.
    expectProblem(await meetings(after, loggedOut.accessToken), 401, 'TOKEN_REVOKED');
    // Alive before the loss, gone with it: auth and every meetings replica agree.
    expectProblem(await me(alive.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await meetings(after, alive.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await meetings(before, alive.accessToken), 401, 'TOKEN_REVOKED');
  });
});
