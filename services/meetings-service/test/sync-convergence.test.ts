import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, freePort, uniqueRedisPrefix } from '@authmeet/test-kit';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { authTestApp } from './helpers/auth-service.js';
import type { AuthServiceContext } from './helpers/auth-service.js';
import { SERVICE_KEY, startMeetingsService } from './test-app.js';
import type { MeetingsContext } from './test-app.js';

// Convergence of the user copy: the outbox surviving a meetings-service outage, and
// reconciliation rebuilding an empty meetings database from the auth-service alone.

const STRONG = 'Correct-Horse-Battery-9-Staple';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


type DirectoryUser = {
  id: string; email: string; username: string; firstName: string | null; lastName: string | null;
  isActive: boolean; emailVerified: boolean; version: number; deleted: boolean;
};

/** The auth-service's truth, through its own internal listing. */
async function authDirectory(auth: AuthServiceContext, key: string): Promise<DirectoryUser[]> {
  const all: DirectoryUser[] = [];
  let cursor: string | null = null;
  do {
    const res = await auth.app.inject({ method: 'GET', url: `/internal/v1/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`, headers: { 'x-service-key': key } });
    const body = res.json() as { items: DirectoryUser[]; nextCursor: string | null };
    all.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return all;
}

async function localUsers(meet: MeetingsContext) {
  const sql = new pg.Client({ connectionString: meet.db.url });
  await sql.connect();
  try {
    const { rows } = await sql.query(
      'SELECT id, email, username, first_name, last_name, is_active, email_verified, version, deleted_at FROM users',
    );
    return new Map(rows.map((r) => [r.id as string, r]));
  } finally {
    await sql.end();
  }
}

function expectSameUsers(truth: DirectoryUser[], local: Map<string, Record<string, unknown>>) {
  expect(local.size).toBe(truth.length);
  for (const u of truth) {
    const row = local.get(u.id);
    expect(row, u.id).toBeDefined();
    if (u.deleted) {
      expect(row).toMatchObject({ is_active: false, first_name: null, last_name: null });
      expect(row?.deleted_at).not.toBeNull();
      continue;
    }
    expect(row).toMatchObject({
      email: u.email,
      username: u.username,
      first_name: u.firstName,
      last_name: u.lastName,
      is_active: u.isActive,
      email_verified: u.emailVerified,
      version: u.version,
    });
  }
}

async function register(auth: AuthServiceContext, i: number, tag: string) {
  const res = await auth.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email: `${tag}.${i}@example.com`, username: `${tag}_${i}`, password: STRONG, firstName: 'First', lastName: `Last${i}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().user as { id: string; email: string };
}

async function patchProfile(auth: AuthServiceContext, email: string, payload: Record<string, string>) {
  const login = await auth.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: email, password: STRONG } });
  const token = login.json().accessToken as string;
  const res = await auth.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` }, payload });
  expect(res.statusCode, res.body).toBe(200);
  return token;
}

describe('user sync convergence', () => {
  it('a meetings-service outage loses nothing: the breaker holds back the relay, then every user arrives exactly', async () => {
    const { startAuthService, SERVICE_KEY: AUTH_KEY } = await authTestApp();
    const prefix = uniqueRedisPrefix('outage');
    const meetPort = await freePort();

    // While "down", the port answers 503 (like an ingress with no healthy backend) and counts.
    let seen = 0;
    const down: Server = createServer((_req, res) => {
      seen += 1;
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => down.listen(meetPort, '127.0.0.1', r));

    const auth = await startAuthService({
      REDIS_KEY_PREFIX: prefix,
      OUTBOX_RELAY_ENABLED: 'true',
      OUTBOX_POLL_MS: '50',
      MEETINGS_SERVICE_URL: `http://127.0.0.1:${meetPort}`,
      MEETINGS_SERVICE_KEY: SERVICE_KEY,
      SYNC_HTTP_TIMEOUT_MS: '300',
      SYNC_RETRIES: '1',
      SYNC_BREAKER_RESET_MS: '500',
    });
    cleanups.push(() => auth.close());
    await auth.app.listen({ port: 0, host: '127.0.0.1' });
    const authUrl = `http://127.0.0.1:${(auth.app.server.address() as AddressInfo).port}`;

    const users = [];
    for (let i = 0; i < 200; i += 1) users.push(await register(auth, i, 'outage'));
    for (const u of users.slice(0, 50)) await patchProfile(auth, u.email, { firstName: 'Updated', lastName: `Final-${u.id.slice(0, 8)}` });

    // The breaker is open and the relay only probes: at most one call (plus its retry) per reset.
    // Waiting users go in one batch request and the relay pauses after each failed one, so
    // the breaker's five failures take a few of those pauses.
    const metrics = () => auth.app.metrics.metrics();
    await eventually(async () => expect(await metrics()).toMatch(/service_client_breaker_state\{.*name="meetings-service".*\} 2/), 10_000);
    const before = seen;
    await new Promise((r) => setTimeout(r, 2000));
    expect(seen - before).toBeLessThanOrEqual(2 * Math.ceil(2000 / 500) + 2);

    // The meetings-service comes back on the same address.
    await new Promise<void>((r) => down.close(() => r()));
    const meet = await startMeetingsService({ AUTH_SERVICE_URL: authUrl, AUTH_SERVICE_KEY: AUTH_KEY, REDIS_KEY_PREFIX: prefix });
    cleanups.push(() => meet.close());
    await meet.app.listen({ port: meetPort, host: '127.0.0.1' });

    const truth = await authDirectory(auth, AUTH_KEY);
    expect(truth).toHaveLength(200);
    await eventually(async () => expectSameUsers(truth, await localUsers(meet)), 15_000, 200);
    const updated = truth.filter((u) => u.firstName === 'Updated');
    expect(updated).toHaveLength(50);
    expect(updated.every((u) => u.version === 2)).toBe(true);
    await eventually(async () => expect(await metrics()).toMatch(/outbox_backlog\{state="pending".*\} 0\n/), 5000);
  }, 120_000);

  it('reconciliation alone brings an empty meetings database to the auth-service’s state', async () => {
    const { startAuthService, SERVICE_KEY: AUTH_KEY } = await authTestApp();
    const prefix = uniqueRedisPrefix('reconcile');
    // The relay is off: the outbox plays no part, as after a lost backup.
    const auth = await startAuthService({ REDIS_KEY_PREFIX: prefix });
    cleanups.push(() => auth.close());
    await auth.app.listen({ port: 0, host: '127.0.0.1' });
    const authUrl = `http://127.0.0.1:${(auth.app.server.address() as AddressInfo).port}`;

    const users = [];
    for (let i = 0; i < 23; i += 1) users.push(await register(auth, i, 'recon'));
    for (const u of users.slice(0, 5)) await patchProfile(auth, u.email, { lastName: 'Changed' });
    const closing = users[22];
    if (!closing) throw new Error('no user to close');
    const token = await patchProfile(auth, closing.email, { firstName: 'Leaving' });
    const del = await auth.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` }, payload: { password: STRONG } });
    expect(del.statusCode).toBe(204);

    const meet = await startMeetingsService({ AUTH_SERVICE_URL: authUrl, AUTH_SERVICE_KEY: AUTH_KEY, REDIS_KEY_PREFIX: prefix, RECONCILE_PAGE_SIZE: '7' });
    cleanups.push(() => meet.close());
    expect((await localUsers(meet)).size).toBe(0);

    const first = await meet.app.reconciler.run();
    expect(first).toMatchObject({ seen: 23, applied: 22, removed: 1, pages: 4 });
    expectSameUsers(await authDirectory(auth, AUTH_KEY), await localUsers(meet));

    // Idempotent: a second pass changes nothing.
    const second = await meet.app.reconciler.run();
    expect(second.applied).toBe(0);
    expectSameUsers(await authDirectory(auth, AUTH_KEY), await localUsers(meet));
  }, 60_000);

  it('reconciliation on start runs once in the background when configured', async () => {
    const { startAuthService, SERVICE_KEY: AUTH_KEY } = await authTestApp();
    const prefix = uniqueRedisPrefix('recon-start');
    const auth = await startAuthService({ REDIS_KEY_PREFIX: prefix });
    cleanups.push(() => auth.close());
    await auth.app.listen({ port: 0, host: '127.0.0.1' });
    const authUrl = `http://127.0.0.1:${(auth.app.server.address() as AddressInfo).port}`;
    for (let i = 0; i < 3; i += 1) await register(auth, i, 'onstart');
    const meet = await startMeetingsService({ AUTH_SERVICE_URL: authUrl, AUTH_SERVICE_KEY: AUTH_KEY, REDIS_KEY_PREFIX: prefix, RECONCILE_ON_START: 'true' });
    cleanups.push(() => meet.close());
    await eventually(async () => expect((await localUsers(meet)).size).toBe(3), 5000);
  });
});
