import { randomUUID } from 'node:crypto';
import { publishRevocation } from '@authmeet/auth-tokens';
import { createRedisClient } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, newUser } from './factories.js';
import { startTokenIssuer } from './helpers/token-issuer.js';
import { startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

const COOLDOWN_MS = 1000;
let ctx: MeetingsContext;
let authRedis: RedisClient;

beforeAll(async () => {
  ctx = await startMeetingsService({ AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS) });
  // Plays the auth-service's part: revocations are written under the shared prefix.
  authRedis = createRedisClient({ ...ctx.config.redis, keyPrefix: ctx.config.revocation.keyPrefix });
  await authRedis.connect();
});
afterAll(async () => {
  authRedis.disconnect();
  await ctx.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const list = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/meetings', headers: bearer(token) });

describe('signing keys from the JWKS URL', () => {
  it('a rotated-in key is picked up with one refetch', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    expect((await list(user.token)).statusCode).toBe(200);
    const before = ctx.issuer.fetches;
    await ctx.issuer.rotate(`k-${randomUUID()}`);
    await sleep(COOLDOWN_MS + 50);
    const rotated = await ctx.issuer.token(user.id);
    expect((await list(rotated)).statusCode).toBe(200);
    expect(ctx.issuer.fetches).toBe(before + 1);
    // Tokens of the previous key stay valid while it is published.
    expect((await list(user.token)).statusCode).toBe(200);
  });

  it('a flood of tokens with forged kids causes at most one fetch per cooldown', async () => {
    const forger = await startTokenIssuer();
    try {
      const user = await newUser(ctx.app, ctx.issuer);
      await sleep(COOLDOWN_MS + 50);
      const forged = await Promise.all(Array.from({ length: 100 }, () => forger.token(user.id, { kid: `forged-${randomUUID()}` })));
      const before = ctx.issuer.fetches;
      for (const round of [forged.slice(0, 50), forged.slice(50)]) {
        const results = await Promise.all(round.map(list));
        for (const res of results) expectProblem(res, 401, 'TOKEN_INVALID');
      }
      expect(ctx.issuer.fetches - before).toBeLessThanOrEqual(1);
      expect(forger.fetches).toBe(0);
    } finally {
      await forger.close();
    }
  });

  it('refuses tokens for another audience or issuer, and unsigned ones', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    const [header, payload] = user.token.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' })).toString('base64url')}.${payload}.`;
    expectProblem(await list(none), 401, 'TOKEN_INVALID');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, aud: 'other' })).toString('base64url')}.${user.token.split('.')[2]}`;
    expectProblem(await list(tampered), 401, 'TOKEN_INVALID');
  });
});

describe('revocation', () => {
  it('a revoked session is refused within a second, other sessions of the user are not', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    const sid = randomUUID();
    const revoked = await ctx.issuer.token(user.id, { sid });
    const other = await ctx.issuer.token(user.id);
    expect((await list(revoked)).statusCode).toBe(200);
    const checksBefore = ctx.app.revocationView.stats().redisChecks;
    for (let i = 0; i < 5; i += 1) expect((await list(revoked)).statusCode).toBe(200);
    // Confirmed once, then answered from memory: no Redis round trip per request.
    expect(ctx.app.revocationView.stats().redisChecks).toBe(checksBefore);

    await publishRevocation(authRedis, ctx.config.revocation.keyPrefix, { sub: user.id, sid, ttlSec: 960 });
    const started = Date.now();
    let res = await list(revoked);
    while (res.statusCode === 200 && Date.now() - started < 1000) {
      await sleep(10);
      res = await list(revoked);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expectProblem(res, 401, 'TOKEN_REVOKED');
    expect((await list(other)).statusCode).toBe(200);
  });

  it('a session revoked before this service ever saw it is refused on first sight', async () => {
    const user = await newUser(ctx.app, ctx.issuer);
    const sid = randomUUID();
    await publishRevocation(authRedis, ctx.config.revocation.keyPrefix, { sub: user.id, sid, ttlSec: 960 });
    expectProblem(await list(await ctx.issuer.token(user.id, { sid })), 401, 'TOKEN_REVOKED');
  });
});
