import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The hash before the first event ever written: the chain's genesis. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's hash covers: everything it says, and its place in the chain (id, prevHash). */
export interface ChainedContent {
  id: bigint;
  at: Date;
  type: string;
  outcome: string;
  actorId: string | null;
  actorType: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: unknown;
  prevHash: string;
}

/**
 * SHA-256 over the RFC 8785 canonical JSON of the event (keys sorted, numbers and strings in
 * one spelling), so the same content hashes the same whatever order the database returns
 * `details` keys in.
 */
export function eventHash(e: ChainedContent): string {
  const canonical = canonicalize({
    id: e.id.toString(),
    at: e.at.toISOString(),
    type: e.type,
    outcome: e.outcome,
    actorId: e.actorId,
    actorType: e.actorType,
    targetId: e.targetId,
    ip: e.ip,
    userAgent: e.userAgent,
    requestId: e.requestId,
    details: e.details ?? {},
    prevHash: e.prevHash,
  });
  // Stryker disable next-line ConditionalExpression,StringLiteral,CallExpression: canonicalize answers undefined only for undefined input, never for this object; the check is for the types
  if (canonical === undefined) throw new TypeError('audit event cannot be serialised');
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The canonical text of an event (what `eventHash` hashes) cut around its two chain fields, so
 * the database can hash it once it has placed the event: text = `beforeId` + id + `beforePrev`
 * + prevHash + `rest`. The top-level keys are fixed, so this is RFC 8785 order spelled out: a
 * test checks it against `canonicalize` for awkward content.
 */
export function canonicalParts(e: Omit<ChainedContent, 'id' | 'prevHash'>): { beforeId: string; beforePrev: string; rest: string } {
  const c = (value: unknown): string => {
    const text = canonicalize(value);
    if (text === undefined) throw new TypeError('audit event cannot be serialised');
    return text;
  };
  return {
    beforeId: `{"actorId":${c(e.actorId)},"actorType":${c(e.actorType)},"at":${c(e.at.toISOString())},"details":${c(e.details ?? {})},"id":"`,
    beforePrev: `","ip":${c(e.ip)},"outcome":${c(e.outcome)},"prevHash":"`,
    rest: `","requestId":${c(e.requestId)},"targetId":${c(e.targetId)},"type":${c(e.type)},"userAgent":${c(e.userAgent)}}`,
  };
}

export type ChainBreak =
  | { kind: 'prev'; id: bigint; expected: string; found: string }
  | { kind: 'hash'; id: bigint }
  | { kind: 'head'; expected: string; found: string };

/**
 * Checks a run of events in id order, chained from `expected` (the anchor, or the last hash of
 * the previous run). The first link that does not hold is returned: an edited row fails its own
 * hash, a deleted one breaks the next row's `prevHash` (or, at the end, the head), reordered
 * ones break both. Otherwise the hash the next run must chain from.
 */
export function checkRun(expected: string, events: readonly (ChainedContent & { hash: string })[]): { broken: ChainBreak } | { last: string } {
  let last = expected;
  for (const e of events) {
    if (e.prevHash !== last) return { broken: { kind: 'prev', id: e.id, expected: last, found: e.prevHash } };
    if (eventHash(e) !== e.hash) return { broken: { kind: 'hash', id: e.id } };
    last = e.hash;
  }
  return { last };
}
