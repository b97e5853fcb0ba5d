import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, checkRun, eventHash } from '../../src/modules/audit/audit-chain.js';
import type { ChainedContent } from '../../src/modules/audit/audit-chain.js';

// The chain's hashing and checking on their own; writing, pruning and audit:verify over the
// database: audit.test.ts.
const base: ChainedContent = {
  id: 7n,
  at: new Date('2026-05-01T10:00:00.000Z'),
  type: 'user.login',
  outcome: 'success',
  actorId: '0b7c1d8e-7f8a-4b8e-9d5a-2f1e3c4b5a69',
  actorType: 'user',
  targetId: '0b7c1d8e-7f8a-4b8e-9d5a-2f1e3c4b5a69',
  ip: '198.51.100.4',
  userAgent: 'Browser/1.0',
  requestId: 'req-1',
  details: { b: 1, a: 'x' },
  prevHash: GENESIS_HASH,
};

/** A run of `n` events chained from `from`, each hashed as written. */
function run(n: number, from = GENESIS_HASH) {
  const events: (ChainedContent & { hash: string })[] = [];
  let prev = from;
  for (let i = 1; i <= n; i += 1) {
    const e = { ...base, id: BigInt(i), prevHash: prev, details: { n: i } };
    const hash = eventHash(e);
    events.push({ ...e, hash });
    prev = hash;
  }
  return events;
}

describe('audit chain', () => {
  it('the genesis is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('an event’s hash is SHA-256 of its RFC 8785 canonical JSON', () => {
    const canonical =
      '{"actorId":"0b7c1d8e-7f8a-4b8e-9d5a-2f1e3c4b5a69","actorType":"user","at":"2026-05-01T10:00:00.000Z","details":{"a":"x","b":1},' +
      '"id":"7","ip":"198.51.100.4","outcome":"success","prevHash":"' +
      GENESIS_HASH +
      '","requestId":"req-1","targetId":"0b7c1d8e-7f8a-4b8e-9d5a-2f1e3c4b5a69","type":"user.login","userAgent":"Browser/1.0"}';
    expect(eventHash(base)).toBe(createHash('sha256').update(canonical).digest('hex'));
    // The order the database returns `details` keys in does not matter.
    expect(eventHash({ ...base, details: { a: 'x', b: 1 } })).toBe(eventHash(base));
    // No details hash as empty details.
    expect(eventHash({ ...base, details: null })).toBe(eventHash({ ...base, details: {} }));
  });

  it.each<[string, Partial<ChainedContent>]>([
    ['id', { id: 8n }],
    ['at', { at: new Date('2026-05-01T10:00:00.001Z') }],
    ['type', { type: 'user.logout' }],
    ['outcome', { outcome: 'failure' }],
    ['actorId', { actorId: null }],
    ['actorType', { actorType: 'admin' }],
    ['targetId', { targetId: null }],
    ['ip', { ip: '198.51.100.5' }],
    ['userAgent', { userAgent: null }],
    ['requestId', { requestId: 'req-2' }],
    ['details', { details: { b: 2, a: 'x' } }],
    ['prevHash', { prevHash: 'f'.repeat(64) }],
  ])('covers %s', (_field, change) => {
    expect(eventHash({ ...base, ...change })).not.toBe(eventHash(base));
  });

  it('an intact run checks out and gives the hash the next run chains from; an empty one gives its anchor', () => {
    const events = run(3);
    expect(checkRun(GENESIS_HASH, events)).toEqual({ last: events[2]?.hash });
    expect(checkRun(GENESIS_HASH, [])).toEqual({ last: GENESIS_HASH });
    const anchor = 'a'.repeat(64);
    const later = run(2, anchor);
    expect(checkRun(anchor, later)).toEqual({ last: later[1]?.hash });
  });

  it('an edited event fails its own hash', () => {
    const events = run(3);
    const edited = events.map((e) => (e.id === 2n ? { ...e, details: { n: 99 } } : e));
    expect(checkRun(GENESIS_HASH, edited)).toEqual({ broken: { kind: 'hash', id: 2n } });
  });

  it('a deleted event breaks the next one’s link; so does a run from the wrong anchor', () => {
    const [first, second, third] = run(3);
    if (!first || !second || !third) throw new Error('run');
    expect(checkRun(GENESIS_HASH, [first, third])).toEqual({ broken: { kind: 'prev', id: 3n, expected: first.hash, found: second.hash } });
    expect(checkRun('b'.repeat(64), [first])).toEqual({ broken: { kind: 'prev', id: 1n, expected: 'b'.repeat(64), found: GENESIS_HASH } });
  });

  it('reordered events break the chain', () => {
    const [first, second] = run(2);
    if (!first || !second) throw new Error('run');
    expect('broken' in checkRun(GENESIS_HASH, [second, first])).toBe(true);
  });
});
