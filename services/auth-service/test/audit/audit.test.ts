import { eventually } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as auditVerify } from '../../src/audit-verify.js';
import { auditEventTypes } from '../../src/modules/audit/audit-catalogue.js';
import { createAuditRepository } from '../../src/modules/audit/audit.repository.js';
import type { NewAuditEvent } from '../../src/modules/audit/audit.repository.js';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { createAuditRetention } from '../../src/modules/audit/audit.retention.js';
import { bearer, expectProblem, login, registerAndLogin, STRONG_PASSWORD } from '../factories.js';
import { buildApp } from '../../src/app.js';
import { startAuthService, testConfig } from '../test-app.js';
import type { TestContext } from '../test-app.js';
import { caller, runCommand } from '../admin/admin-kit.js';
import { pastEvent } from './audit-kit.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const client = { 'user-agent': 'AuditTest/1.0', 'x-request-id': 'audit-req-1' };
const eventsOf = (targetId: string) => ctx.app.prisma.auditEvent.findMany({ where: { targetId }, orderBy: { id: 'asc' } });

describe('the audit trail records', () => {
  it('every security event of an account, with ip, user agent and request id, and no secret', async () => {
    const admin = await caller(ctx, ['admin']);
    const { user, input, tokens } = await registerAndLogin(ctx.app);
    const inj = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
      ctx.app.inject({ method, url, headers: { ...client, ...headers }, ...(payload ? { payload } : {}) });
    expect((await inj('POST', '/v1/auth/login', {}, { identifier: input.email, password: 'Wrong-Password-1!' })).statusCode).toBe(401);
    const second = await login(ctx.app, input.email);
    const third = await login(ctx.app, input.email);
    // A refresh token used twice (outside the grace) is theft: the session dies and it is recorded.
    const rotated = await inj('POST', '/v1/auth/refresh', {}, { refreshToken: third.refreshToken });
    expect(rotated.statusCode).toBe(200);
    expect((await inj('DELETE', `/v1/auth/sessions/${second.sessionId}`, bearer(tokens.accessToken))).statusCode).toBe(204);
    const changed = await inj('POST', '/v1/auth/password/change', bearer(tokens.accessToken), {
      currentPassword: STRONG_PASSWORD,
      newPassword: 'Another-Horse-Battery-7-Staple',
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await inj('POST', '/v1/auth/logout', bearer(tokens.accessToken))).statusCode).toBe(204);
    const again = await login(ctx.app, input.email, 'Another-Horse-Battery-7-Staple');
    expect((await inj('POST', '/v1/auth/logout-all', bearer(again.accessToken))).statusCode).toBe(204);
    const adminHeaders = { ...admin.headers };
    expect((await inj('PUT', `/v1/admin/users/${user.id}/roles`, adminHeaders, { roles: ['moderator'] })).statusCode).toBe(200);
    expect((await inj('POST', `/v1/admin/users/${user.id}/disable`, adminHeaders, { reason: 'test' })).statusCode).toBe(200);
    expect((await inj('POST', `/v1/admin/users/${user.id}/enable`, adminHeaders, { reason: 'test' })).statusCode).toBe(200);
    expect((await inj('POST', `/v1/admin/users/${user.id}/sessions/revoke`, adminHeaders)).statusCode).toBe(204);
    const last = await login(ctx.app, input.email, 'Another-Horse-Battery-7-Staple');
    const closed = await inj('DELETE', '/v1/auth/me', bearer(last.accessToken), { password: 'Another-Horse-Battery-7-Staple' });
    expect(closed.statusCode, closed.body).toBe(204);

    const events = await eventsOf(user.id);
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'user.registered',
      'user.login.failed',
      'user.login.succeeded',
      'session.revoked',
      'user.password_changed',
      'user.logout',
      'user.logout_all',
      'admin.roles_changed',
      'admin.user_disabled',
      'admin.user_enabled',
      'admin.sessions_revoked',
      'user.deleted',
    ]) {
      expect(types, type).toContain(type);
    }
    const failed = events.find((e) => e.type === 'user.login.failed');
    expect(failed).toMatchObject({ outcome: 'failure', ip: '127.0.0.1', userAgent: 'AuditTest/1.0', requestId: 'audit-req-1' });
    expect(failed?.details).toMatchObject({ method: 'password', reason: 'INVALID_CREDENTIALS' });
    const disabled = events.find((e) => e.type === 'admin.user_disabled');
    expect(disabled).toMatchObject({ actorId: admin.id, actorType: 'admin', details: { reason: 'test' } });

    const everything = JSON.stringify(await ctx.app.prisma.auditEvent.findMany(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    for (const secret of [STRONG_PASSWORD, 'Another-Horse-Battery-7-Staple', 'Wrong-Password-1!', tokens.refreshToken, tokens.accessToken, third.refreshToken]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/argon2|\$2[aby]\$/);
  });

  it('a reused refresh token', async () => {
    const { user, tokens } = await registerAndLogin(ctx.app);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } })).statusCode).toBe(200);
    // Past the grace: REFRESH_REUSE_GRACE is 10 s by default, so rewind the rotation instead of waiting.
    await ctx.app.redis.hset(`sess:{u:${user.id}}:${tokens.sessionId}`, 'rt', '0');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: tokens.refreshToken } }), 401, 'REFRESH_TOKEN_REUSED');
    expect((await eventsOf(user.id)).map((e) => e.type)).toContain('session.refresh_reused');
  });

  it('lists every event type in the OpenAPI document', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const text = JSON.stringify(doc);
    for (const type of auditEventTypes) expect(text).toContain(type);
  });
});

describe('reading the trail', () => {
  it('GET /v1/admin/audit filters by target, type and time, newest first, in pages', async () => {
    const admin = await caller(ctx, ['admin']);
    const { user, input } = await registerAndLogin(ctx.app);
    for (let i = 0; i < 3; i += 1) {
      await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: 'nope' } });
    }
    const url = `/v1/admin/audit?targetId=${user.id}&type=user.login.failed&limit=2`;
    const first = await ctx.app.inject({ method: 'GET', url, headers: admin.headers });
    expect(first.statusCode, first.body).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    expect(page.items.every((e: { type: string; targetId: string }) => e.type === 'user.login.failed' && e.targetId === user.id)).toBe(true);
    expect(BigInt(page.items[0].id)).toBeGreaterThan(BigInt(page.items[1].id));
    const rest = (await ctx.app.inject({ method: 'GET', url: `${url}&cursor=${page.nextCursor}`, headers: admin.headers })).json();
    expect(rest.items).toHaveLength(1);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = (await ctx.app.inject({ method: 'GET', url: `/v1/admin/audit?targetId=${user.id}&from=${future}`, headers: admin.headers })).json();
    expect(none.items).toEqual([]);
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/admin/audit?type=made.up', headers: admin.headers }), 400, 'VALIDATION_FAILED');
  });

  it('GET /v1/auth/me/activity shows the caller their own events only', async () => {
    const a = await registerAndLogin(ctx.app);
    const b = await registerAndLogin(ctx.app);
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me/activity', headers: bearer(a.tokens.accessToken) });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { targetId: string; type: string }[];
    expect(items.map((e) => e.type)).toEqual(['user.login.succeeded', 'user.registered']);
    expect(items.every((e) => e.targetId === a.user.id)).toBe(true);
    expect(JSON.stringify(items)).not.toContain(b.user.id);
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/auth/me/activity' }), 401, 'UNAUTHENTICATED');
  });
});

describe('the hash chain', () => {
  it('stays linear under concurrent writers', async () => {
    const { input } = await registerAndLogin(ctx.app);
    await Promise.all(
      Array.from({ length: 30 }, () => ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: input.email, password: 'nope' } })),
    );
    const rows = await ctx.app.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    rows.forEach((row, i) => {
      if (i > 0) expect(row.prevHash).toBe(rows[i - 1]?.hash);
    });
    const result = await runCommand(ctx, auditVerify, []);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`${rows.length} events`);
  });

  it('verifies events whose content needs escaping (Postgres hashes what audit:verify re-hashes)', async () => {
    const repository = createAuditRepository(ctx.app.prisma);
    const event = (userAgent: string, details: Prisma.InputJsonObject): NewAuditEvent => ({
      ...pastEvent('user.login.failed', new Date()),
      outcome: 'failure',
      ip: '::1',
      userAgent,
      requestId: 'req-"esc"',
      details,
    });
    await repository.appendNow([event('Agent "q" \\ é 🎉 \u0001', { id: '1', prevHash: 'x', nested: { ä: [1, 2.5, null] }, note: 'a\nb' })]);
    await repository.appendNow([event('two', {}), event('three', { z: 1, a: 2 })]);
    const result = await runCommand(ctx, auditVerify, []);
    expect(result.code, result.err).toBe(0);
  });

  it('appends the events of Redis-only changes that arrive together in one statement, in arrival order', async () => {
    // One transaction per event made every login wait in one queue for the chain's lock (bench
    // scenario 8); events that arrive while a write is in flight now share the next write, which
    // is one statement (no BEGIN/COMMIT, one round trip under the lock).
    let transactions = 0;
    let statements = 0;
    const prisma = ctx.app.prisma;
    const counting = new Proxy(prisma, {
      get: (target, key) => {
        if (key === '$transaction') {
          return (...args: Parameters<typeof prisma.$transaction>) => {
            transactions += 1;
            return target.$transaction(...args);
          };
        }
        if (key === '$executeRaw') {
          return (...args: Parameters<typeof prisma.$executeRaw>) => {
            statements += 1;
            return target.$executeRaw(...args);
          };
        }
        return Reflect.get(target, key);
      },
    });
    const repository = createAuditRepository(counting);
    const batch = `group-${Date.now()}`;
    const event = (n: number): NewAuditEvent => ({ ...pastEvent('user.logout', new Date()), actorType: 'system', details: { batch, n } });
    await Promise.all(Array.from({ length: 20 }, (_, n) => repository.appendNow([event(n)])));
    // The first write starts alone; the 19 that arrived meanwhile share the next statement.
    expect([statements, transactions]).toEqual([2, 0]);
    const rows = await prisma.auditEvent.findMany({ where: { details: { path: ['batch'], equals: batch } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => (r.details as { n: number }).n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    const result = await runCommand(ctx, auditVerify, []);
    expect(result.code, result.err).toBe(0);
  });

  it('a group with an event Postgres refuses fails only the request that wrote it', async () => {
    const repository = createAuditRepository(ctx.app.prisma);
    const batch = `isolated-${Date.now()}`;
    const event = (n: number, note = 'fine'): NewAuditEvent => ({ ...pastEvent('user.logout', new Date()), details: { batch, n, note } });
    // jsonb cannot hold U+0000: the group's statement fails, then each caller's events are tried alone.
    const results = await Promise.allSettled([0, 1, 2, 3].map((n) => repository.appendNow([event(n, n === 2 ? 'nul\u0000' : 'fine')])));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const rows = await ctx.app.prisma.auditEvent.findMany({ where: { details: { path: ['batch'], equals: batch } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => (r.details as { n: number }).n)).toEqual([0, 1, 3]);
    expect((await runCommand(ctx, auditVerify, [])).code).toBe(0);
  });

  describe('audit:verify names the first broken link', () => {
    const restore = async () => {
      await ctx.app.prisma.$executeRawUnsafe('DELETE FROM audit_events');
      await ctx.app.prisma.$executeRawUnsafe('INSERT INTO audit_events SELECT * FROM audit_backup');
    };
    beforeAll(async () => {
      await ctx.app.prisma.$executeRawUnsafe('CREATE TABLE audit_backup AS SELECT * FROM audit_events');
    });
    afterAll(async () => {
      await restore();
      await ctx.app.prisma.$executeRawUnsafe('DROP TABLE audit_backup');
    });

    const cases: [string, string[], RegExp][] = [
      ['an edited row', [`UPDATE audit_events SET details = '{"reason":"nothing to see"}' WHERE id = 5`], /event 5: .*edited/],
      ['a deleted row', ['DELETE FROM audit_events WHERE id = 5'], /event 6: .*removed/],
      [
        'reordered rows',
        ['UPDATE audit_events SET id = -5 WHERE id = 5', 'UPDATE audit_events SET id = 5 WHERE id = 6', 'UPDATE audit_events SET id = 6 WHERE id = -5'],
        /event 5: /,
      ],
      ['the newest row deleted', ['DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)'], /the head/],
    ];
    it.each(cases)('%s', async (_name, statements, message) => {
      try {
        for (const sql of statements) await ctx.app.prisma.$executeRawUnsafe(sql);
        const result = await runCommand(ctx, auditVerify, []);
        expect(result.code).toBe(1);
        expect(result.err).toMatch(message);
      } finally {
        await restore();
      }
      expect((await runCommand(ctx, auditVerify, [])).code).toBe(0);
    });
  });
});

/** An event written 500 days ago (past the default retention of 400 days). */
const old = (type: 'user.registered' | 'user.login.succeeded') => pastEvent(type, new Date(Date.now() - 500 * 86_400_000));

describe('retention', () => {
  it('prunes events past AUDIT_RETENTION and leaves a chain that still verifies from its anchor', async () => {
    const fresh = await startAuthService();
    try {
      const repository = createAuditRepository(fresh.app.prisma);
      await repository.appendNow([old('user.registered'), old('user.login.succeeded'), old('user.login.succeeded')]);
      await registerAndLogin(fresh.app);
      const before = await fresh.app.prisma.auditEvent.count();
      const retention = createAuditRetention({ repository, log: fresh.app.log, clock: Date.now, retentionSec: 400 * 86_400 });
      expect(await retention.runOnce()).toBe(3);
      expect(await retention.runOnce()).toBe(0);
      const rows = await fresh.app.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
      expect(rows).toHaveLength(before - 3 + 1);
      expect(rows.at(-1)).toMatchObject({ type: 'audit.pruned', actorType: 'system', details: { count: 3, anchorId: '3' } });
      const verified = await runCommand(fresh, auditVerify, []);
      expect(verified.code, verified.err).toBe(0);
      // The first remaining event must chain to the anchor: removing it is noticed.
      await fresh.app.prisma.$executeRawUnsafe('DELETE FROM audit_events WHERE id = 4');
      expect((await runCommand(fresh, auditVerify, [])).err).toMatch(/event 5: /);
    } finally {
      await fresh.close();
    }
  });

  it('runs in the background on the shared worker loop: at start (then every AUDIT_PRUNE_INTERVAL), stopped with the app', async () => {
    const fresh = await startAuthService();
    try {
      // Tests run with AUDIT_PRUNE_ENABLED=false: nothing prunes these until a replica with it on starts.
      await createAuditRepository(fresh.app.prisma).appendNow([old('user.registered'), old('user.login.succeeded')]);
      const replica = await buildApp(testConfig(fresh.db.url, { AUDIT_PRUNE_ENABLED: 'true', AUDIT_PRUNE_INTERVAL: '1h' }), { logger: false, keyRing: fresh.keyRing });
      try {
        await replica.ready();
        const pruned = await eventually(async () => {
          const rows = await fresh.app.prisma.auditEvent.findMany({ where: { type: 'audit.pruned' } });
          expect(rows).toHaveLength(1);
          return rows;
        }, 5000, 50);
        expect(pruned[0]).toMatchObject({ actorType: 'system', details: { count: 2 } });
        expect(await fresh.app.prisma.auditEvent.count({ where: { at: { lt: new Date(Date.now() - 400 * 86_400_000) } } })).toBe(0);
      } finally {
        // Stopped with the app (waits for a run in flight): close() returns and nothing runs on a closed pool.
        await replica.close();
      }
      expect((await runCommand(fresh, auditVerify, [])).code).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
