import { randomBytes, randomUUID } from 'node:crypto';
import type { HttpApp } from '@authmeet/http-kit';
import { bearer } from '@authmeet/test-kit';
import { expect } from 'vitest';
import type { TokenIssuer } from './helpers/token-issuer.js';
import { SERVICE_KEY } from './test-app.js';

export const serviceKey = { 'x-service-key': SERVICE_KEY };

export interface TestUser {
  id: string;
  username: string;
  token: string;
  headers: { authorization: string };
}

let counter = 0;
export function userData(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const tag = `${randomBytes(3).toString('hex')}${counter}`;
  return {
    email: `user.${tag}@example.com`,
    username: `user_${tag}`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    isActive: true,
    emailVerified: true,
    version: 1,
    ...overrides,
  };
}

/** A user the meetings-service knows (delivered by the user sync), with a valid token. */
export async function newUser(app: HttpApp, issuer: TokenIssuer, overrides: Record<string, unknown> = {}): Promise<TestUser> {
  const id = randomUUID();
  const data = userData(overrides);
  const res = await app.inject({ method: 'PUT', url: `/internal/v1/users/${id}`, headers: serviceKey, payload: data });
  expect(res.statusCode, res.body).toBe(200);
  const token = await issuer.token(id);
  return { id, username: data.username, token, headers: bearer(token) };
}

export interface MeetingBody {
  id: string;
  code: string;
  status: string;
  hostId: string;
  participantCount: number;
  maxParticipants: number;
  startedAt: string | null;
  endedAt: string | null;
  scheduledFor: string | null;
  [key: string]: unknown;
}

export async function createMeeting(app: HttpApp, user: TestUser, body: Record<string, unknown> = {}): Promise<MeetingBody> {
  const res = await app.inject({ method: 'POST', url: '/v1/meetings', headers: user.headers, payload: { title: 'Standup', ...body } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as MeetingBody;
}

export async function join(app: HttpApp, user: TestUser, code: string) {
  return app.inject({ method: 'POST', url: '/v1/meetings/join', headers: user.headers, payload: { code } });
}

export { bearer, expectProblem } from '@authmeet/test-kit';
