import { keepAliveLoad } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, signUp } from './support/client.js';
import type { Tokens } from './support/client.js';
import type { Stack } from './support/stack.js';
import { startStack } from './support/stack.js';

// Finding: SIGTERM under 50 connections reset in-flight requests and answered Fastify's own
// 503. A drain must finish every request received, refuse new ones with the contract's 503,
// close kept-alive connections only between requests, end event streams cleanly, exit 0.

let stack: Stack;
let users: { id: string; tokens: Tokens }[];
beforeAll(async () => {
  stack = await startStack();
  users = await signUp(stack.auth[0]?.url ?? '', 'drain', 8);
});
afterAll(async () => stack?.close());

async function drainUnderLoad(target: { url: string; kill(s: NodeJS.Signals): Promise<string> }, path: string) {
  const load = keepAliveLoad({
    origin: target.url,
    connections: 50,
    next: (w) => ({ method: 'GET', path, headers: { authorization: `Bearer ${users[w % users.length]?.tokens.accessToken ?? ''}` } }),
    expected: (status) => status === 200,
  });
  await new Promise((r) => setTimeout(r, 2_000));
  const before = load.tally.completed;
  const exit = await target.kill('SIGTERM');
  const tally = await load.stop();
  return { exit, before, tally };
}

describe('SIGTERM under load', () => {
  it('meetings-service: 0 failed in-flight requests, its event streams end cleanly, exit 0', async () => {
    const meetings = stack.meetings[0];
    if (!meetings) throw new Error('no meetings-service');
    const created = await call(meetings.url, 'POST', '/v1/meetings', { token: users[0]?.tokens.accessToken ?? '', body: { title: 'drain' } });
    expect(created.status).toBe(201);
    const events = await fetch(`${meetings.url}/v1/meetings/${String(created.body.id)}/events`, { headers: { authorization: `Bearer ${users[0]?.tokens.accessToken ?? ''}` } });
    expect(events.status).toBe(200);
    const streamEnd = events.text().then(() => 'ended cleanly', (e: unknown) => `failed: ${String(e)}`);

    const { exit, before, tally } = await drainUnderLoad(meetings, '/v1/meetings');
    expect({ exit, failures: tally.failures.slice(0, 5), failed: tally.failures.length }, meetings.logs()).toEqual({ exit: 'exit 0', failures: [], failed: 0 });
    expect(before).toBeGreaterThan(50);
    expect(await streamEnd).toBe('ended cleanly');
  });

  it('auth-service: 0 failed in-flight requests, exit 0', async () => {
    const auth = stack.auth[0];
    if (!auth) throw new Error('no auth-service');
    const { exit, before, tally } = await drainUnderLoad(auth, '/v1/auth/me');
    expect({ exit, failures: tally.failures.slice(0, 5), failed: tally.failures.length }, auth.logs()).toEqual({ exit: 'exit 0', failures: [], failed: 0 });
    expect(before).toBeGreaterThan(50);
  });
});
