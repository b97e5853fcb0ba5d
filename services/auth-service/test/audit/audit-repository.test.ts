import { createTestDatabase } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { GENESIS_HASH } from '../../src/modules/audit/audit-chain.js';
import { createAuditRepository } from '../../src/modules/audit/audit.repository.js';
import type { AuditRepository, NewAuditEvent } from '../../src/modules/audit/audit.repository.js';
import { createAuditRetention } from '../../src/modules/audit/audit.retention.js';
import { createPrismaClient } from '../../src/plugins/prisma.js';
import { migrationsDir } from '../migrations-dir.js';
import { pastEvent } from './audit-kit.js';

// The chain's verification and pruning on their own database (no app): audit:verify's walk in
// pages from the anchor, and retention's pruning of a prefix. Through the app: audit.test.ts.
let db: TestDatabase;
let prisma: PrismaClient;
let repository: AuditRepository;
beforeAll(async () => {
  db = await createTestDatabase('auth_test', migrationsDir);
  prisma = createPrismaClient({ url: db.url, poolSize: 4 });
  repository = createAuditRepository(prisma);
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});
// Every test starts from the genesis.
beforeEach(async () => {
  await prisma.$executeRawUnsafe('TRUNCATE audit_events');
  await prisma.$executeRawUnsafe(`UPDATE audit_chain SET last_id = 0, head_hash = repeat('0', 64), anchor_id = 0, anchor_hash = repeat('0', 64) WHERE id = 1`);
});

const DAY = 86_400_000;
const event = (at: Date, n: number): NewAuditEvent => pastEvent('user.login.succeeded', at, { n });
/** `count` events at `at`, written in one transaction. */
const write = (at: Date, count: number, from = 0) =>
  prisma.$transaction((tx) => repository.append(Array.from({ length: count }, (_, i) => event(at, from + i)), tx), { timeout: 60_000 });
const headHash = async () => (await prisma.auditChain.findUniqueOrThrow({ where: { id: 1 } })).headHash;
const sql = (statement: string) => prisma.$executeRawUnsafe(statement);

describe('verify', () => {
  it('an empty chain is intact at the genesis', async () => {
    expect(await repository.verify()).toEqual({ ok: true, events: 0, head: GENESIS_HASH });
  });

  it('walks a chain longer than one page (1000 events) to its head', async () => {
    await write(new Date(), 1500);
    expect(await repository.verify()).toEqual({ ok: true, events: 1500, head: await headHash() });
    // Exactly one page: the walk ends at the head as well.
    await sql('DELETE FROM audit_events WHERE id > 1000');
    await sql(`UPDATE audit_chain SET last_id = 1000, head_hash = (SELECT hash FROM audit_events WHERE id = 1000) WHERE id = 1`);
    expect(await repository.verify()).toEqual({ ok: true, events: 1000, head: await headHash() });
  });

  it('names the first broken link with the events checked before it, on any page', async () => {
    await write(new Date(), 1500);
    await sql(`UPDATE audit_events SET details = '{"n":-1}' WHERE id = 1200`);
    expect(await repository.verify()).toEqual({ ok: false, events: 1000, broken: { kind: 'hash', id: 1200n } });
    await sql(`UPDATE audit_events SET details = '{"n":1199}' WHERE id = 1200`);
    await sql('DELETE FROM audit_events WHERE id = 3');
    const [e2] = await prisma.auditEvent.findMany({ where: { id: 2n } });
    expect(await repository.verify()).toEqual({ ok: false, events: 0, broken: { kind: 'prev', id: 4n, expected: e2?.hash, found: expect.any(String) } });
  });

  it('a missing newest event breaks the head', async () => {
    await write(new Date(), 5);
    const head = await headHash();
    const [e4] = await prisma.auditEvent.findMany({ where: { id: 4n } });
    await sql('DELETE FROM audit_events WHERE id = 5');
    expect(await repository.verify()).toEqual({ ok: false, events: 4, broken: { kind: 'head', expected: head, found: e4?.hash } });
  });

  it('reads one snapshot: events appended while it walks are not half-seen', async () => {
    await write(new Date(), 2500);
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) await repository.appendNow([event(new Date(), (n += 1))]);
    })();
    try {
      for (let i = 0; i < 4; i += 1) {
        const result = await repository.verify();
        expect(result.ok, JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(true);
        expect(result.events).toBeGreaterThanOrEqual(2500);
      }
    } finally {
      writing = false;
      await writer;
    }
    expect(n).toBeGreaterThan(0);
  });
});

describe('pruning', () => {
  it('deletes every event before the cutoff (a prefix), records its last as the anchor, and notes the pruning; the rest still verifies', async () => {
    const now = Date.now();
    await write(new Date(now - 30 * DAY), 3);
    await write(new Date(now - 10 * DAY), 2, 3);
    await write(new Date(now - DAY), 2, 5);
    const [anchor] = await prisma.auditEvent.findMany({ where: { id: 5n } });
    const calls: [number, bigint, string][] = [];
    const count = await repository.prune(new Date(now - 5 * DAY), (pruned, anchorId, anchorHash) => {
      calls.push([pruned, anchorId, anchorHash]);
      return { ...event(new Date(now), 99), type: 'audit.pruned', actorType: 'system' };
    });
    expect(count).toBe(5);
    expect(calls).toEqual([[5, 5n, anchor?.hash]]);
    const rows = await prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.id, r.type])).toEqual([
      [6n, 'user.login.succeeded'],
      [7n, 'user.login.succeeded'],
      [8n, 'audit.pruned'],
    ]);
    expect(await prisma.auditChain.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({ anchorId: 5n, anchorHash: anchor?.hash });
    expect(await repository.verify()).toEqual({ ok: true, events: 3, head: await headHash() });
    // The first event after the anchor must chain to it.
    await sql('DELETE FROM audit_events WHERE id = 6');
    expect(await repository.verify()).toMatchObject({ ok: false, events: 0, broken: { kind: 'prev', id: 7n } });
  });

  it('nothing older than the cutoff: nothing deleted, nothing written', async () => {
    await write(new Date(), 2);
    const head = await headHash();
    expect(await repository.prune(new Date(Date.now() - DAY), () => event(new Date(), 0))).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(2);
    expect(await headHash()).toBe(head);
  });
});

describe('retention', () => {
  it('prunes what is older than the retention, writes an audit.pruned event saying what went, and logs it', async () => {
    const lines: Record<string, unknown>[] = [];
    const { log } = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } } });
    const now = Date.now();
    await write(new Date(now - 9 * DAY), 2);
    await write(new Date(now - 7 * DAY + 60_000), 1, 2);
    const retention = createAuditRetention({ repository, log, clock: () => now, retentionSec: 7 * 86_400 });
    const before = new Date(now - 7 * DAY).toISOString();
    const [anchor] = await prisma.auditEvent.findMany({ where: { id: 2n } });

    expect(await retention.runOnce()).toBe(2);
    const rows = await prisma.auditEvent.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.id)).toEqual([3n, 4n]);
    expect(rows[1]).toMatchObject({
      ...pastEvent('audit.pruned', new Date(now), { count: 2, anchorId: '2', anchorHash: anchor?.hash ?? '', before }),
      actorType: 'system',
    });
    expect(lines.filter((l) => l.msg === 'audit events pruned').map((l) => [l.count, l.before])).toEqual([[2, before]]);

    // Nothing old enough the second time: nothing written, nothing logged.
    expect(await retention.runOnce()).toBe(0);
    expect(await prisma.auditEvent.count()).toBe(2);
    expect(lines.filter((l) => l.msg === 'audit events pruned')).toHaveLength(1);
  });
});
