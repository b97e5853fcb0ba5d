import { testRedisEnv } from '@authmeet/test-kit';
import { decodeJwt } from 'jose';
import { expect, vi } from 'vitest';
import { main as usersRole } from '../../src/users-role.js';
import { bearer, login, registerAndLogin } from '../factories.js';
import type { TestContext } from '../test-app.js';

export interface Caller {
  id: string;
  email: string;
  headers: { authorization: string };
  refreshToken: string;
}

/** Runs an operator command in-process against the test's database and Redis prefix. */
export async function runCommand(ctx: TestContext, command: (argv: string[], io: { out: (l: string) => void; err: (l: string) => void }) => Promise<number>, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env = { ...testRedisEnv(), DATABASE_URL: ctx.db.url, REDIS_KEY_PREFIX: ctx.config.redis.keyPrefix, LOG_LEVEL: 'silent', NODE_ENV: 'test' };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  try {
    const code = await command(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    vi.unstubAllEnvs();
  }
}

/** A signed-in user; with `roles`, granted through the operator command and signed in again. */
export async function caller(ctx: TestContext, roles: string[] = []): Promise<Caller> {
  const { user, input, tokens } = await registerAndLogin(ctx.app);
  if (roles.length === 0) return { id: user.id, email: user.email, headers: bearer(tokens.accessToken), refreshToken: tokens.refreshToken };
  const result = await runCommand(ctx, usersRole, ['--email', input.email, ...roles.flatMap((r) => ['--grant', r])]);
  expect(result.code, result.err).toBe(0);
  const fresh = await login(ctx.app, input.email);
  expect(decodeJwt(fresh.accessToken).roles).toEqual([...roles].sort());
  return { id: user.id, email: user.email, headers: bearer(fresh.accessToken), refreshToken: fresh.refreshToken };
}
