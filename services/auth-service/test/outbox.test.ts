import { eventually } from '@authmeet/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { bearer, login, registerAndLogin, registerUser, STRONG_PASSWORD } from './factories.js';
import { startFakeReceiver } from './fake-receiver.js';
import { SERVICE_KEY, startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

type Receiver = Awaited<ReturnType<typeof startFakeReceiver>>;

const relayEnv = (url: string) => ({
  OUTBOX_RELAY_ENABLED: 'true',
  MEETINGS_SERVICE_URL: url,
  OUTBOX_POLL_MS: '10000', // only NOTIFY can make deliveries fast
  OUTBOX_MAX_BACKOFF_MS: '200',
  SYNC_HTTP_TIMEOUT_MS: '300',
  SYNC_RETRIES: '1',
  SYNC_BREAKER_RESET_MS: '300',
});

async function outboxRows(ctx: TestContext, userId: string) {
  return ctx.app.prisma.userOutbox.findMany({ where: { userId }, orderBy: { id: 'asc' } });
}

describe('outbox writes (relay off)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService();
  });
  afterAll(async () => ctx.close());

  it('every user change writes a row with the new version, in the same transaction', async () => {
    const { tokens, user, input } = await registerAndLogin(ctx.app);
    let rows = await outboxRows(ctx, user.id);
    expect(rows.map((r) => [r.kind, r.version, r.status])).toEqual([['upsert', 1, 'pending']]);
    expect(rows[0]?.payload).toEqual({
      email: input.email,
      username: input.username,
      firstName: 'Ada',
      lastName: 'Lovelace',
      isActive: true,
      emailVerified: false,
      mfaEnabled: false,
      roles: [],
      avatarUrl: null,
      version: 1,
    });
    await ctx.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { firstName: 'Augusta' } });
    await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { password: STRONG_PASSWORD } });
    rows = await outboxRows(ctx, user.id);
    expect(rows.map((r) => [r.kind, r.version])).toEqual([
      ['upsert', 1],
      ['upsert', 2],
      ['delete', 3],
    ]);
    expect((rows[1]?.payload as { firstName: string }).firstName).toBe('Augusta');
  });

  it('a refused change writes nothing', async () => {
    const { input } = await registerUser(ctx.app);
    const before = await ctx.app.prisma.userOutbox.count();
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { ...input, username: `${input.username}2` } });
    expect(res.statusCode).toBe(409);
    expect(await ctx.app.prisma.userOutbox.count()).toBe(before);
  });

  it('logging in (even with a re-hash) is not a synced change', async () => {
    const { input, user } = await registerUser(ctx.app);
    await login(ctx.app, input.email);
    expect(await outboxRows(ctx, user.id)).toHaveLength(1);
  });
});

describe('relay', () => {
  let receiver: Receiver;
  let ctx: TestContext;
  beforeAll(async () => {
    receiver = await startFakeReceiver(SERVICE_KEY);
    ctx = await startAuthService(relayEnv(receiver.url));
  });
  afterAll(async () => {
    await ctx.close();
    await receiver.stop();
  });
  afterEach(() => receiver.setMode('ok'));

  it('delivers each change moments after its commit (woken by NOTIFY, not the 10 s poll)', async () => {
    // Timed from the commit (the registration's answer), not from before the registration, whose
    // password hash is most of the time on a slow machine. Two changes one after the other: the
    // poll runs every 10 s, so a poll could deliver at most one of them within the bound.
    for (let i = 0; i < 2; i += 1) {
      const { user } = await registerUser(ctx.app);
      const committed = Date.now();
      await eventually(() => expect(receiver.users.get(user.id)?.version).toBe(1), 3000);
      expect(Date.now() - committed).toBeLessThan(2500);
      // The relay commits "delivered" just after the receiver answers: wait for that commit.
      await eventually(async () => {
        const rows = await outboxRows(ctx, user.id);
        expect(rows.every((r) => r.status === 'delivered' && r.deliveredAt !== null)).toBe(true);
      }, 3000);
    }
  });

  it('sends updates and deletions with the service key; the final state is exact', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    await ctx.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { lastName: 'Byron' } });
    await eventually(() => expect(receiver.users.get(user.id)?.body?.lastName).toBe('Byron'), 3000);
    await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { password: STRONG_PASSWORD } });
    await eventually(() => expect(receiver.users.get(user.id)).toMatchObject({ deleted: true, version: 3 }), 3000);
  });

  it('a refusal that retrying cannot fix is dead-lettered, visible in metrics, and can be replayed', async () => {
    const { user } = await registerUser(ctx.app);
    // Refused before it arrives, so the first delivery gets a 400.
    receiver.refuse.add(user.id);
    const { user: second } = await registerUser(ctx.app);
    await eventually(() => expect(receiver.users.get(second.id)).toBeDefined(), 3000);
    // The first user may have been delivered before the refusal was set; make a new change.
    await ctx.app.prisma.user.update({ where: { id: user.id }, data: { version: 5 } });
    await ctx.app.outboxRelay.runOnce();
    const { createOutboxRepository } = await import('../src/modules/outbox/outbox.repository.js');
    const outbox = createOutboxRepository(ctx.app.prisma);
    const updated = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    await ctx.app.prisma.$transaction((tx) => outbox.enqueue(updated, 'upsert', tx));
    await eventually(async () => expect((await outboxRows(ctx, user.id)).at(-1)?.status).toBe('dead'), 3000);
    const metrics = await ctx.app.metrics.metrics();
    expect(metrics).toMatch(/outbox_backlog\{.*state="dead".*\} [1-9]/);
    expect(metrics).toMatch(/outbox_deliveries_total\{.*result="dead".*\} [1-9]/);
    receiver.refuse.delete(user.id);
    expect(await outbox.replayDead()).toBeGreaterThan(0);
    await eventually(() => expect(receiver.users.get(user.id)?.version).toBe(5), 3000);
  });

  it('changes of many users go in one batch request; a user the receiver refuses is dead-lettered alone', async () => {
    const users: { id: string }[] = [];
    for (let i = 0; i < 5; i += 1) users.push((await registerUser(ctx.app)).user);
    await eventually(() => {
      for (const u of users) expect(receiver.users.get(u.id)?.version).toBe(1);
    }, 3000);
    const [refused, ...others] = users;
    if (refused === undefined) throw new Error('no user');
    receiver.refuse.add(refused.id);
    const batchesBefore = receiver.batches.length;
    const { createOutboxRepository } = await import('../src/modules/outbox/outbox.repository.js');
    const outbox = createOutboxRepository(ctx.app.prisma);
    // One transaction, one NOTIFY: the relay finds all five heads at once.
    await ctx.app.prisma.$transaction(async (tx) => {
      for (const u of users) await outbox.enqueue(await tx.user.update({ where: { id: u.id }, data: { firstName: 'Batched', version: { increment: 1 } } }), 'upsert', tx);
    });
    await eventually(async () => {
      for (const u of others) expect(receiver.users.get(u.id)).toMatchObject({ version: 2, body: { firstName: 'Batched' } });
      expect((await outboxRows(ctx, refused.id)).at(-1)?.status).toBe('dead');
    }, 3000);
    const batches = receiver.batches.slice(batchesBefore);
    expect(batches.some((ids) => ids.length > 1)).toBe(true);
    for (const u of others) expect((await outboxRows(ctx, u.id)).every((r) => r.status === 'delivered' && r.deliveredAt !== null)).toBe(true);
    expect(receiver.users.get(refused.id)?.version).toBe(1);
    receiver.refuse.delete(refused.id);
  });

  it('with the receiver down the breaker stops the hammering, and nothing is lost', async () => {
    // Up but failing (503), so every request that still reaches it is counted.
    receiver.setMode('down503');
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push((await registerUser(ctx.app)).user.id);
    // Waiting users go in one batch request, and the relay pauses after each failed one: the
    // breaker's five failures take a few of those pauses.
    await eventually(async () => {
      const m = await ctx.app.metrics.metrics();
      expect(m).toMatch(/service_client_breaker_state\{.*name="meetings-service".*\} 2/);
    }, 10_000);
    // Open: at most a probe (with its one retry) per 300 ms reset period gets through.
    const windowStart = receiver.requests();
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.requests() - windowStart).toBeLessThanOrEqual(2 * Math.ceil(1500 / 300) + 2);
    receiver.setMode('ok');
    await eventually(() => {
      for (const id of ids) expect(receiver.users.get(id)?.version).toBe(1);
    }, 5000);
    await eventually(async () => {
      const metrics = await ctx.app.metrics.metrics();
      expect(metrics).toMatch(/outbox_backlog\{state="pending".*\} 0\n/);
      expect(metrics).toMatch(/service_client_breaker_state\{.*name="meetings-service".*\} 0/);
    }, 3000);
  });
});

describe('outbox claim plan', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startAuthService();
  });
  afterAll(async () => ctx.close());

  it('walks pending rows in id order (user_outbox_status_id_idx) and sorts nothing, however long the backlog', async () => {
    const { outboxQueries } = await import('../src/modules/outbox/outbox.repository.js');
    const text = await ctx.app.prisma.$transaction(async (tx) => {
      // The test table is tiny: the question is whether an index can serve the claim in order.
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      await tx.$executeRaw`SET LOCAL enable_bitmapscan = off`;
      const { Prisma } = await import('../src/generated/prisma/client.js');
      const rows = await tx.$queryRaw<Record<string, string>[]>(Prisma.sql`EXPLAIN ${outboxQueries.claimHeads(50)}`);
      return rows.map((r) => Object.values(r).join('')).join('\n');
    });
    expect(text).toMatch(/Index Scan using user_outbox_status_id_idx on user_outbox o/);
    expect(text).not.toMatch(/Sort/);
  });
});

describe('at least once, in order', () => {
  it('a crash between delivering and marking delivered causes a harmless duplicate', async () => {
    const receiver = await startFakeReceiver(SERVICE_KEY);
    let crashes = 1;
    const ctx = await startAuthService({ ...relayEnv(receiver.url), OUTBOX_POLL_MS: '50' }, {
      onOutboxDelivered: async () => {
        if (crashes > 0) {
          crashes -= 1;
          throw new Error('process killed after delivery, before the commit');
        }
      },
    });
    try {
      const { user } = await registerUser(ctx.app);
      await ctx.app.outboxRelay.runOnce().catch(() => undefined);
      await eventually(async () => expect((await outboxRows(ctx, user.id))[0]?.status).toBe('delivered'), 5000);
      const mine = receiver.deliveries.filter((d) => d.userId === user.id);
      expect(mine.length).toBeGreaterThanOrEqual(2);
      expect(new Set(mine.map((d) => d.version))).toEqual(new Set([1]));
      expect(receiver.users.get(user.id)?.version).toBe(1);
    } finally {
      await ctx.close();
      await receiver.stop();
    }
  });

  it('two relays at once deliver each user’s changes in version order', async () => {
    const receiver = await startFakeReceiver(SERVICE_KEY);
    const a = await startAuthService({ ...relayEnv(receiver.url), OUTBOX_BATCH_SIZE: '3', OUTBOX_POLL_MS: '20' });
    // Second replica: same database and Redis, its own relay.
    const b = await buildApp(a.config, { logger: false, keyRing: a.keyRing });
    await b.ready();
    try {
      const users: Awaited<ReturnType<typeof registerAndLogin>>[] = [];
      for (let i = 0; i < 8; i += 1) users.push(await registerAndLogin(a.app));
      for (let round = 0; round < 5; round += 1) {
        await Promise.all(
          users.map((u, i) =>
            (i % 2 ? a.app : b).inject({
              method: 'PATCH',
              url: '/v1/auth/me',
              headers: bearer(u.tokens.accessToken),
              payload: { firstName: `round-${round}` },
            }),
          ),
        );
      }
      await eventually(() => {
        for (const u of users) expect(receiver.users.get(u.user.id)?.version).toBe(6);
      }, 10_000);
      for (const u of users) {
        const versions = receiver.deliveries.filter((d) => d.userId === u.user.id).map((d) => d.version);
        // At least once: a delivery whose answer timed out is sent again (the same version
        // twice is fine, the receiver applies it once); an older version after a newer never.
        for (let i = 1; i < versions.length; i += 1) expect(versions[i]).toBeGreaterThanOrEqual(versions[i - 1] ?? 0);
        expect(receiver.users.get(u.user.id)?.body?.firstName).toBe('round-4');
      }
    } finally {
      await b.close();
      await a.close();
      await receiver.stop();
    }
  });
});
