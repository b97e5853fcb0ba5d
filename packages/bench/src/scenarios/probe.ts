import { bearer } from '../harness/fixtures.js';
import type { Tokens } from '../harness/fixtures.js';
import { httpJson } from '../harness/http.js';
import type { Probe } from './context.js';

/**
 * The meetings-service has no authenticated route that touches no database: every /v1 request
 * runs UsersService.admit() (a users lookup by primary key) after the token checks. The cheapest
 * is the caller's meeting list when the caller has none.
 */
export const PROBE: Probe = {
  method: 'GET',
  path: '/v1/meetings?limit=1',
  touches:
    'token checks (SHA-256 of the token + verified-token LRU after the first request; revocation view in memory), ' +
    'the global per-IP rate limit (one Redis round trip), Postgres twice: the users row by primary key ' +
    '(UsersService.admit, on every /v1 request) and an index range scan of meeting_participants (0 rows; the probe user has no meetings)',
};

/** The probe answers 200 with an empty page (the first call also teaches the service the user). */
export async function checkProbe(meetingsUrl: string, tokens: Tokens): Promise<void> {
  const page = await httpJson<{ items: unknown[] }>(`${meetingsUrl}${PROBE.path}`, { headers: bearer(tokens) }, 200);
  if (page.items.length !== 0) throw new Error('the probe user should have no meetings');
}
