import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@authmeet/test-kit';
import { run } from './run.js';

export interface PgBouncer {
  port: number;
  /** The same database URL, through PgBouncer. */
  via(url: string): string;
  stop(): Promise<void>;
}

/**
 * PgBouncer (Debian's) in transaction mode in front of a Postgres on `pgPort`, every database
 * passed through. It refuses to run as root, so it runs as the `postgres` system user.
 */
export async function startPgBouncer(pgPort: number): Promise<PgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'fault-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const pidfile = join(dir, 'pgbouncer.pid');
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${pgPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      // node-postgres sends these at connect; PgBouncer would refuse the connection otherwise.
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${pidfile}`,
      '',
    ].join('\n'),
  );
  const uid = Number(await run('id', ['-u', 'postgres']));
  const gid = Number(await run('id', ['-g', 'postgres']));
  for (const f of [dir, ini, join(dir, 'userlist.txt')]) chownSync(f, uid, gid);
  await run('runuser', ['-u', 'postgres', '--', '/usr/sbin/pgbouncer', '-d', ini]);
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.port = String(port);
      return u.toString();
    },
    async stop() {
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
