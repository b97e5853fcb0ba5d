import pg from 'pg';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Records every change the meetings-service applies to its user copy (a trigger in its private
 * database, installed by the suite, not by the service): a delivery applied twice or a version
 * applied after a newer one shows up here even when the final state looks right.
 */
export async function installSyncAudit(meetingsDbUrl: string): Promise<void> {
  await withClient(meetingsDbUrl, (c) =>
    c.query(`
      CREATE TABLE fault_sync_audit (seq bigserial PRIMARY KEY, user_id uuid NOT NULL, version int NOT NULL);
      CREATE FUNCTION fault_sync_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' OR NEW.version IS DISTINCT FROM OLD.version THEN
          INSERT INTO fault_sync_audit (user_id, version) VALUES (NEW.id, NEW.version);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fault_sync_audit AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION fault_sync_audit();
    `),
  );
}

export interface SyncReport {
  users: number;
  /** In the auth-service but missing (or at an older version, or different) in the meetings-service. */
  lost: string[];
  /** In the meetings-service but not in the auth-service. */
  extra: string[];
  /** The same version applied twice to one user. */
  duplicates: string[];
  /** A version applied after a newer one of the same user. */
  outOfOrder: string[];
  /** Versions applied in all. */
  applied: number;
}

/** Compares both databases row by row, and the audit trail of what was applied. */
export async function compareSync(authDbUrl: string, meetingsDbUrl: string): Promise<SyncReport> {
  type Row = { id: string; email: string; username: string; first_name: string | null; last_name: string | null; is_active: boolean; version: number; deleted: boolean };
  const select = 'SELECT id, email::text, username::text, first_name, last_name, is_active, version, deleted_at IS NOT NULL AS deleted FROM users';
  const truth = await withClient(authDbUrl, (c) => c.query<Row>(select));
  const copy = await withClient(meetingsDbUrl, (c) => c.query<Row>(select));
  const audit = await withClient(meetingsDbUrl, (c) => c.query<{ user_id: string; version: number }>('SELECT user_id, version FROM fault_sync_audit ORDER BY seq'));
  const local = new Map(copy.rows.map((r) => [r.id, r]));
  const lost: string[] = [];
  for (const u of truth.rows) {
    const r = local.get(u.id);
    const same = r && r.version === u.version && r.is_active === u.is_active && (u.deleted || (r.email === u.email && r.username === u.username && r.first_name === u.first_name && r.last_name === u.last_name));
    if (!same) lost.push(`${u.id} v${u.version} (meetings: ${r ? `v${r.version}` : 'missing'})`);
  }
  const known = new Set(truth.rows.map((u) => u.id));
  const extra = copy.rows.filter((r) => !known.has(r.id)).map((r) => r.id);
  const seen = new Map<string, number[]>();
  for (const a of audit.rows) seen.set(a.user_id, [...(seen.get(a.user_id) ?? []), a.version]);
  const duplicates: string[] = [];
  const outOfOrder: string[] = [];
  for (const [id, versions] of seen) {
    if (new Set(versions).size !== versions.length) duplicates.push(`${id}: ${versions.join(',')}`);
    if (versions.some((v, i) => i > 0 && v < (versions[i - 1] ?? 0))) outOfOrder.push(`${id}: ${versions.join(',')}`);
  }
  return { users: truth.rows.length, lost, extra, duplicates, outOfOrder, applied: audit.rows.length };
}
