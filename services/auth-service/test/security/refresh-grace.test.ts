import { createTestRedis } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, registerAndLogin } from '../factories.js';
import type { TokensBody } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

// The app's clock runs `skewMs` ahead of the wall clock, so a test can step past the grace.
let skewMs = 0;
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService({ REFRESH_REUSE_GRACE: '10s' }, { clock: () => Date.now() + skewMs });
});
afterAll(async () => ctx.close());

const refresh = (refreshToken: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
const verify = (token: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/verify-token', payload: { token } });

describe('concurrent refreshes with one token (browser tabs)', () => {
  it.each([2, 5, 20])('%i at once all succeed with the same new refresh token, and the session lives on', async (n) => {
    const { tokens } = await registerAndLogin(ctx.app);
    const answers = await Promise.all(Array.from({ length: n }, () => refresh(tokens.refreshToken)));
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);
    const bodies = answers.map((res) => res.json() as TokensBody);
    const successors = new Set(bodies.map((b) => b.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    expect(successor).not.toBe(tokens.refreshToken);
    expect(new Set(bodies.map((b) => b.sessionId))).toEqual(new Set([tokens.sessionId]));
    for (const b of bodies) expect((await verify(b.accessToken)).statusCode).toBe(200);

    // The one successor rotates normally; the session has exactly one live refresh token.
    const next = await refresh(String(successor));
    expect(next.statusCode, next.body).toBe(200);
    expect((await verify((next.json() as TokensBody).accessToken)).statusCode).toBe(200);
  });

  it('a late tab within the grace gets the same successor as the first', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const first = (await refresh(tokens.refreshToken)).json() as TokensBody;
    skewMs = 9_000;
    try {
      const late = await refresh(tokens.refreshToken);
      expect(late.statusCode, late.body).toBe(200);
      expect((late.json() as TokensBody).refreshToken).toBe(first.refreshToken);
    } finally {
      skewMs = 0;
    }
  });

  it('the successor is never stored: Redis holds nothing a reader could present', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const next = (await refresh(tokens.refreshToken)).json() as TokensBody;
    const redis = createTestRedis({ keyPrefix: ctx.config.redis.keyPrefix });
    try {
      const stored = await redis.hgetall(`sess:{u:${user.id}}:${tokens.sessionId}`);
      const values = Object.values(stored).join('|');
      const secret = (token: string) => Buffer.from(token, 'base64url').subarray(32).toString('hex');
      for (const token of [tokens.refreshToken, next.refreshToken]) {
        expect(values).not.toContain(token);
        expect(values).not.toContain(secret(token));
        expect(values).not.toContain(Buffer.from(token, 'base64url').subarray(32).toString('base64url'));
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('after the grace, a rotated token is theft', () => {
  it('REFRESH_TOKEN_REUSED, and the whole session dies', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const rotated = (await refresh(tokens.refreshToken)).json() as TokensBody;
    expect((await verify(rotated.accessToken)).statusCode).toBe(200);
    skewMs = 11_000;
    try {
      expectProblem(await refresh(tokens.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    } finally {
      skewMs = 0;
    }
    // Every token of the session is now refused, including the legitimate newest pair.
    expectProblem(await verify(rotated.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await verify(tokens.accessToken), 401, 'TOKEN_REVOKED');
    expectProblem(await refresh(rotated.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
  });

  it('a token two rotations old is theft even inside the grace', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const second = (await refresh(tokens.refreshToken)).json() as TokensBody;
    const third = (await refresh(second.refreshToken)).json() as TokensBody;
    expectProblem(await refresh(tokens.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    expectProblem(await verify(third.accessToken), 401, 'TOKEN_REVOKED');
  });

  it('a forged secret on a live session is invalid, not a grace hit, and the session survives', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const next = (await refresh(tokens.refreshToken)).json() as TokensBody;
    const raw = Buffer.from(tokens.refreshToken, 'base64url');
    raw[40] = (raw[40] ?? 0) ^ 0xff;
    expectProblem(await refresh(raw.toString('base64url')), 401, 'REFRESH_TOKEN_INVALID');
    expect((await refresh(next.refreshToken)).statusCode).toBe(200);
  });
});
