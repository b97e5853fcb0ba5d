import { randomBytes } from 'node:crypto';
import type { HttpApp } from '@authmeet/http-kit';
import type { PrismaClient } from '../src/generated/prisma/client.js';
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

/**
 * A users row with every column away from its default, written with Prisma: a read that bypasses
 * Prisma's client and gets a column wrong, or leaves one out, shows against it.
 */
export function userWithEveryColumnSet(prisma: PrismaClient, tag: string) {
  return prisma.user.create({
    data: {
      email: `mixed.${tag}@example.com`,
      username: `Mixed_${tag}`,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailVerified: true,
      isActive: false,
      roles: ['moderator', 'admin'],
      version: 7,
      deletedAt: new Date('2026-01-02T03:04:05.678Z'),
      mfaEnabled: true,
      avatarKey: 'profile-pictures/x.jpg',
      avatarUrl: 'https://cdn.example.com/profile-pictures/x.jpg',
    },
  });
}
