import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@authmeet/test-kit';
import { asPostgres, run } from './run.js';

export interface PrivatePostgres {
  port: number;
  /** `postgresql://postgres@127.0.0.1:<port>`: createTestDatabase's `server`. */
  server: string;
  start(): Promise<void>;
  /** `fast` closes every session cleanly; `immediate` is a crash (no checkpoint). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A Postgres cluster of its own (initdb into a temporary directory, on a free port), so a
 * scenario can stop and crash it without touching the Postgres everyone else shares.
 * Durability is off (fsync) because no scenario survives a machine crash, only a server one.
 */
export async function startPostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'fault-pg-'));
  const { uid, gid } = await run('id', ['-u', 'postgres']).then(async (u) => ({ uid: Number(u), gid: Number(await run('id', ['-g', 'postgres'])) }));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const pg: PrivatePostgres = {
    port,
    server: `postgresql://postgres@127.0.0.1:${port}`,
    start: () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']).then(() => undefined),
    stop: (mode = 'fast') => asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']).then(() => undefined),
    async destroy() {
      await pg.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
