import { randomBytes } from 'node:crypto';
import type { HttpApp } from '@authmeet/http-kit';
import { expect } from 'vitest';

export const STRONG_PASSWORD = 'Correct-Horse-Battery-9-Staple';

let counter = 0;
export function newUserInput(overrides: Record<string, string> = {}) {
  counter += 1;
  const tag = `${randomBytes(3).toString('hex')}${counter}`;
  return {
    email: `user.${tag}@example.com`,
    username: `user_${tag}`,
    password: STRONG_PASSWORD,
    firstName: 'Ada',
    lastName: 'Lovelace',
    ...overrides,
  };
}

export interface TokensBody {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  refreshExpiresIn: number;
  sessionId: string;
  user: { id: string; email: string; username: string };
}

export async function registerUser(app: HttpApp, overrides: Record<string, string> = {}) {
  const input = newUserInput(overrides);
  const res = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: input });
  expect(res.statusCode, res.body).toBe(201);
  return { input, user: res.json().user as { id: string; email: string; username: string } };
}

export async function login(app: HttpApp, identifier: string, password = STRONG_PASSWORD, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password }, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TokensBody;
}

export async function registerAndLogin(app: HttpApp, overrides: Record<string, string> = {}) {
  const { input, user } = await registerUser(app, overrides);
  const tokens = await login(app, input.email);
  return { input, user, tokens };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Asserts an RFC 9457 problem body with the given status and code. */
export function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown; body: string }, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, title: expect.any(String), type: expect.any(String) });
  if (status === 401) expect(String(res.headers['www-authenticate'])).toMatch(/^Bearer /);
  return body;
}
