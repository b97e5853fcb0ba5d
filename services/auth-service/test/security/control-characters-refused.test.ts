import { mapInfrastructureError, toAppError } from '@authmeet/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/modules/passwords/password-hasher.js';
import type { PasswordHasher } from '../../src/modules/passwords/password-hasher.js';
import { bearer, expectProblem, newUserInput, registerAndLogin, STRONG_PASSWORD } from '../factories.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

/**
 * Control characters (C0, C1) and bidi formatting characters never reach the database or a
 * password hash: the schemas refuse them with 400 before any handler runs. NUL used to reach
 * Postgres (which refuses it, 22021) after an argon2 hash had been spent, and answered 500.
 */
const NUL = '\u0000';
const NEL = '\u0085'; // C1 "next line"
const RLO = '\u202E'; // right-to-left override

let ctx: TestContext;
let hashes = 0;

beforeAll(async () => {
  const real = await createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1, maxConcurrency: 4, maxQueue: 64 });
  // Counts every argon2 computation, so a test can prove that a refused input cost none.
  const counting: PasswordHasher = {
    ...real,
    hash: async (password) => {
      hashes += 1;
      return real.hash(password);
    },
    verify: async (hash, password) => {
      hashes += 1;
      return real.verify(hash, password);
    },
    verifyDummy: async (password) => {
      hashes += 1;
      return real.verifyDummy(password);
    },
  };
  ctx = await startAuthService({}, { hasher: counting });
});
afterAll(async () => ctx.close());

function expectFieldRefused(res: Parameters<typeof expectProblem>[0], field: string) {
  const body = expectProblem(res, 400, 'VALIDATION_FAILED');
  const errors = body.errors as { path: string; message: string }[];
  expect(errors.map((e) => e.path)).toContain(field);
}

describe.each([
  ['NUL', NUL],
  ['U+0085', NEL],
  ['U+202E', RLO],
])('%s', (_name, bad) => {
  it.each(['email', 'username', 'firstName', 'lastName'])('in register %s: 400 before any hash', async (field) => {
    const input = newUserInput();
    const value = field === 'email' ? `a${bad}b@example.com` : `${input[field as 'username']}${bad}x`;
    const before = hashes;
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...input, [field]: value } });
    expectFieldRefused(res, field);
    expect(hashes).toBe(before);
  });

  it.each(['identifier', 'email', 'username'])('in the login %s: 400 before any hash', async (field) => {
    const before = hashes;
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { [field]: `ada${bad}`, password: STRONG_PASSWORD } });
    expectFieldRefused(res, field);
    expect(hashes).toBe(before);
  });

  it.each(['username', 'firstName', 'lastName'])('in PATCH /me %s', async (field) => {
    const { tokens } = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: '/v1/auth/me',
      headers: bearer(tokens.accessToken),
      payload: { [field]: `Ada${bad}Lovelace` },
    });
    expectFieldRefused(res, field);
    const me = (await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) })).json();
    expect(me[field]).not.toContain(bad);
  });

  it('in password/forgot email', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: `a${bad}@example.com` } });
    expectFieldRefused(res, 'email');
  });
});

describe('what stays allowed', () => {
  it('names in any script, with inner spaces, apostrophes and hyphens', async () => {
    const input = newUserInput({ firstName: 'Zoë-Ana', lastName: "O'Brien ابن سينا 李" });
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: input });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().user).toMatchObject({ firstName: 'Zoë-Ana', lastName: "O'Brien ابن سينا 李" });
  });

  it('a tab or line break in a name is refused, not silently trimmed', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: newUserInput({ firstName: 'Ada\n' }) });
    expectFieldRefused(res, 'firstName');
  });
});

describe('a database data exception reached some other way', () => {
  it('22021 (NUL in text) maps to 400, not 500', async () => {
    const error = await ctx.app.prisma.user.findFirst({ where: { firstName: `x${NUL}` } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    const mapped = toAppError(error, mapInfrastructureError);
    expect(mapped.status).toBe(400);
    expect(mapped.code).toBe('VALIDATION_FAILED');
    expect(mapped.errors?.length).toBeGreaterThan(0);
  });

  it('22021 from a raw query maps to 400 too', async () => {
    const error = await ctx.app.prisma.$queryRaw`SELECT ${`x${NUL}`}::text AS v`.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(toAppError(error, mapInfrastructureError).status).toBe(400);
  });
});
