import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { mapInfrastructureError } from '@authmeet/http-kit';
import { TEST_PG_SERVER } from '@authmeet/test-kit';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

// The meeting list's query goes to the pg pool directly (app.pg), not through Prisma: its
// failures are node-postgres's own errors, and a database outage must still answer 503.

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) server.close();
});

/** A "database" at a port that does `onSocket` to every connection. */
async function fakeDatabase(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function failureOf(connectionString: string, sql = 'SELECT 1'): Promise<unknown> {
  const pool = new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 1000 });
  pool.on('error', () => undefined);
  try {
    await pool.query(sql);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

describe('raw pg failures map to 503, never 500', () => {
  it('a connection reset by the server (read ECONNRESET)', async () => {
    const port = await fakeDatabase((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const error = await failureOf(`postgresql://postgres@127.0.0.1:${port}/x`);
    expect((error as { code?: string }).code).toBe('ECONNRESET');
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
  });

  it('a connection the server closes (Connection terminated unexpectedly)', async () => {
    const port = await fakeDatabase((socket) => socket.on('data', () => socket.end()));
    const error = await failureOf(`postgresql://postgres@127.0.0.1:${port}/x`);
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
  });

  it('nothing listening (ECONNREFUSED)', async () => {
    const port = await fakeDatabase(() => undefined);
    servers.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await failureOf(`postgresql://postgres@127.0.0.1:${port}/x`);
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
  });

  it('a server that never answers (connection timeout)', async () => {
    const port = await fakeDatabase(() => undefined);
    const error = await failureOf(`postgresql://postgres@127.0.0.1:${port}/x`);
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
  });

  it('the real Postgres ending the session under a query (57P01)', async () => {
    const victim = new pg.Client({ connectionString: `${TEST_PG_SERVER}/postgres` });
    victim.on('error', () => undefined);
    await victim.connect();
    const pid = ((await victim.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
    const running = victim.query('SELECT pg_sleep(5)').then(() => undefined, (error: unknown) => error);
    const admin = new pg.Client({ connectionString: `${TEST_PG_SERVER}/postgres` });
    await admin.connect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    const error = await running;
    await victim.end().catch(() => undefined);
    expect((error as { code?: string }).code).toBe('57P01');
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
  });

  it('a value Postgres cannot take (22P02) is still the client\'s 400', async () => {
    const error = await failureOf(`${TEST_PG_SERVER}/postgres`, "SELECT 'not-a-uuid'::uuid");
    expect(mapInfrastructureError(error)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });
});
