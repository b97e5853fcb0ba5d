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

export { bearer, expectProblem } from '@authmeet/test-kit';
