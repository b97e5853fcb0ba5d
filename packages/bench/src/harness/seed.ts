import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Rows made up by the bench, written with `COPY … FROM STDIN` (pg-copy-streams): one statement
 * per table however many rows. Ids are derived from the row number, so every scenario can name
 * a seeded user or meeting without reading it back.
 */
const hex12 = (i: number) => i.toString(16).padStart(12, '0');
export const seededUserId = (i: number) => `00000000-0000-4000-8000-${hex12(i)}`;
export const seededMeetingId = (i: number) => `00000000-0000-4000-9000-${hex12(i)}`;
const participationId = (i: number) => `00000000-0000-4000-a000-${hex12(i)}`;
export const seededUser = (i: number) => ({ id: seededUserId(i), email: `u${i}@seed.bench.example.com`, username: `seed${i}` });

/** `abc-defg-hij`: the join-code shape, unique per meeting number (base 26, ten letters). */
export function seededMeetingCode(i: number): string {
  let n = i;
  let letters = '';
  for (let k = 0; k < 10; k += 1) {
    letters = String.fromCharCode(97 + (n % 26)) + letters;
    n = Math.floor(n / 26);
  }
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
}

/** COPY text format: tab-separated, \N for null; the bench's values never hold tabs or backslashes. */
const line = (values: readonly (string | number | boolean | null)[]) => `${values.map((v) => (v === null ? '\\N' : String(v))).join('\t')}\n`;

/** Streams rows start..start+count-1 into `table (columns)`, 5,000 lines per chunk. */
export async function copyRows(url: string, target: string, start: number, count: number, row: (i: number) => readonly (string | number | boolean | null)[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    function* chunks() {
      for (let at = start; at < start + count; at += 5_000) {
        let text = '';
        for (let i = at; i < Math.min(start + count, at + 5_000); i += 1) text += line(row(i));
        yield text;
      }
    }
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
  } finally {
    await client.end();
  }
}

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const ts = (d: Date) => d.toISOString();

/**
 * Users in the auth-service's table (version 1), with one argon2id hash for all (or none). They
 * were created (and last changed) one millisecond apart, as accounts made over time are.
 */
export function seedAuthUsers(url: string, start: number, count: number, passwordHash: string | null): Promise<void> {
  const base = Date.now() - count;
  return copyRows(url, 'users (id, email, username, password_hash, first_name, last_name, email_verified, is_active, version, created_at, updated_at)', start, count, (i) => {
    const u = seededUser(i);
    const at = ts(new Date(base + (i - start)));
    return [u.id, u.email, u.username, passwordHash, 'Seed', `User ${i}`, true, true, 1, at, at];
  });
}

/** The same users as the meetings-service holds them after the sync (version 1). */
export function seedMeetingsUsers(url: string, start: number, count: number): Promise<void> {
  const now = ts(new Date());
  return copyRows(url, 'users (id, email, username, first_name, last_name, is_active, email_verified, version, created_at, updated_at)', start, count, (i) => {
    const u = seededUser(i);
    return [u.id, u.email, u.username, 'Seed', `User ${i}`, true, true, 1, now, now];
  });
}

/** Active meetings; meeting i is hosted by user hostOf(i) and holds participants(i) people (host included). */
export function seedMeetings(url: string, start: number, count: number, hostOf: (i: number) => number, participants: (i: number) => number): Promise<void> {
  const base = Date.now() - count * 1_000;
  return copyRows(url, 'meetings (id, code, title, host_id, status, started_at, max_participants, participant_count, created_at, updated_at)', start, count, (i) => {
    const at = ts(new Date(base + (i - start) * 1_000));
    return [seededMeetingId(i), seededMeetingCode(i), `Seeded meeting ${i}`, seededUserId(hostOf(i)), 'active', at, 100, participants(i), at, at];
  });
}

/** Participation rows: row i puts user of(i).user in meeting of(i).meeting with its role. */
export function seedParticipations(url: string, start: number, count: number, of: (i: number) => { meeting: number; user: number; host: boolean }): Promise<void> {
  const base = Date.now() - count * 100;
  return copyRows(url, 'meeting_participants (id, meeting_id, user_id, role, joined_at)', start, count, (i) => {
    const p = of(i);
    return [participationId(i), seededMeetingId(p.meeting), seededUserId(p.user), p.host ? 'host' : 'participant', ts(new Date(base + (i - start) * 100))];
  });
}
