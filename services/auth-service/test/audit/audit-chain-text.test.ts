import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalParts, eventHash } from '../../src/modules/audit/audit-chain.js';
import type { ChainedContent } from '../../src/modules/audit/audit-chain.js';

// Postgres hashes an event from these parts (audit.repository.ts) and audit:verify re-hashes it
// with eventHash: a single differing byte would make every event look tampered with.
const awkward: Omit<ChainedContent, 'id' | 'prevHash'>[] = [
  // Nothing but nulls where the schema allows them.
  { at: new Date('2026-01-02T03:04:05.678Z'), type: 'user.login.failed', outcome: 'failure', actorType: 'user', details: {}, actorId: null, targetId: null, ip: null, userAgent: null, requestId: null },
  {
    at: new Date(0),
    type: 'admin.user_disabled',
    outcome: 'success',
    actorId: '6f1c2a8e-0000-4000-8000-000000000001',
    actorType: 'admin',
    targetId: '6f1c2a8e-0000-4000-8000-000000000002',
    ip: '::ffff:127.0.0.1',
    userAgent: 'Mozilla/5.0 "quoted" \\ back\u0001slash é 🎉 "id":"1","prevHash":"x"',
    requestId: 'req-"1"',
    // Keys that sort around the top-level ones, nested objects, numbers in several spellings.
    details: { id: '9', prevHash: 'f'.repeat(64), z: [1, 2.5, 1e21, -0], a: { b: null, ä: 'ü' }, reason: 'line\nbreak' },
  },
];

describe('canonicalParts', () => {
  it.each(awkward)('spells the same text as RFC 8785 canonicalization (%#)', (event) => {
    const id = 12345678901234n;
    const prevHash = 'a'.repeat(64);
    const { beforeId, beforePrev, rest } = canonicalParts(event);
    const text = `${beforeId}${id}${beforePrev}${prevHash}${rest}`;
    const full: ChainedContent = { ...event, id, prevHash };
    expect(text).toBe(
      canonicalize({ ...full, id: id.toString(), at: full.at.toISOString(), details: full.details }),
    );
    expect(eventHash(full)).toMatch(/^[0-9a-f]{64}$/);
  });
});
