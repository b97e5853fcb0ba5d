import { randomBytes } from 'node:crypto';
import { httpJson } from './http.js';

export interface BenchUser {
  id: string;
  email: string;
  username: string;
  password: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
  user: { id: string };
}

/** A password the policy accepts (all four classes, zxcvbn ≥ 3) and no one can guess. */
export const benchPassword = (): string => `Qz7!${randomBytes(9).toString('base64url')}-Lm`;

export async function registerUser(authUrl: string, label: string, password: string): Promise<BenchUser> {
  const tag = `${label}${randomBytes(4).toString('hex')}`;
  const email = `${tag}@bench.example.com`;
  const body = await httpJson<{ user: { id: string } }>(
    `${authUrl}/v1/auth/register`,
    { method: 'POST', json: { email, username: tag, password } },
    201,
  );
  return { id: body.user.id, email, username: tag, password };
}

export function login(authUrl: string, user: BenchUser): Promise<Tokens> {
  return httpJson<Tokens>(`${authUrl}/v1/auth/login`, { method: 'POST', json: { identifier: user.username, password: user.password } }, 200);
}

export const bearer = (tokens: Tokens): Record<string, string> => ({ authorization: `Bearer ${tokens.accessToken}` });

export async function createMeetings(meetingsUrl: string, tokens: Tokens, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await httpJson(`${meetingsUrl}/v1/meetings`, { method: 'POST', headers: bearer(tokens), json: { title: `Bench meeting ${i + 1}` } }, 201);
  }
}

/** Runs `task` for 0..count-1 with at most `concurrency` in flight. */
export async function mapLimited<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
