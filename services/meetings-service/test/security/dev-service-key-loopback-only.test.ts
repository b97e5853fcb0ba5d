import { randomUUID } from 'node:crypto';
import { DEV_SERVICE_KEY } from '@authmeet/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { expectProblem, userData } from '../factories.js';
import { startMeetingsService } from '../test-app.js';
import type { MeetingsContext } from '../test-app.js';

/**
 * The built-in development key is in the source: from another machine it must not write the
 * user copy (a forged user, a re-enabled account). Only loopback callers may use it, and
 * development listens on loopback anyway.
 */
let ctx: MeetingsContext;

beforeAll(async () => {
  ctx = await startMeetingsService({ SERVICE_KEYS: '' });
});
afterAll(async () => ctx.close());

const syncUser = (remoteAddress: string) =>
  ctx.app.inject({
    method: 'PUT',
    url: `/internal/v1/users/${randomUUID()}`,
    remoteAddress,
    headers: { 'x-service-key': DEV_SERVICE_KEY },
    payload: userData(),
  });

describe('the built-in development service key', () => {
  it('writes the user copy from loopback', async () => {
    expect((await syncUser('127.0.0.1')).statusCode).toBe(200);
    expect((await syncUser('::1')).statusCode).toBe(200);
  });

  it('is refused from another machine', async () => {
    expectProblem(await syncUser('192.0.2.10'), 401, 'UNAUTHENTICATED');
    expectProblem(await syncUser('::ffff:10.1.2.3'), 401, 'UNAUTHENTICATED');
  });

  it('and development listens on loopback', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
  });
});
