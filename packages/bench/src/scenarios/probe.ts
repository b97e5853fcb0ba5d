import { bearer } from '../harness/fixtures.js';
import type { Tokens } from '../harness/fixtures.js';
import { httpJson } from '../harness/http.js';
import type { Probe } from './context.js';

/**
 * The meetings-service has no authenticated route that touches no database (the contract has
 * none). The cheapest is the caller's meeting list when the caller has none: one index range
 * scan. Admission of a known user comes from a short-lived in-memory cache (ADMIT_CACHE_TTL_MS).
 */
export const PROBE: Probe = {
  method: 'GET',
  path: '/v1/meetings?limit=1',
  touches:
    'token checks (SHA-256 of the token + verified-token LRU after the first request; revocation view in memory), ' +
    'the global per-IP rate limit (one Redis round trip), the admission cache in memory (the users row is read ' +
    'once per ADMIT_CACHE_TTL_MS), and Postgres once: an index range scan of meeting_participants (0 rows; the probe user has no meetings)',
};

/** The probe answers 200 with an empty page (the first call also teaches the service the user). */
export async function checkProbe(meetingsUrl: string, tokens: Tokens): Promise<void> {
  const page = await httpJson<{ items: unknown[] }>(`${meetingsUrl}${PROBE.path}`, { headers: bearer(tokens) }, 200);
  if (page.items.length !== 0) throw new Error('the probe user should have no meetings');
}
