import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@authmeet/test-kit';
import type { TestDatabase } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, repoPath } from '../support/repo.js';

// The operator commands an image runs as `node dist/src/<file>.js`: misuse answers with what is
// wrong and the usage, never a stack trace, and the commands run from their entry files.

interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}
interface CommandModule {
  main(argv: string[], io: CommandIo): Promise<number>;
}

const COMMANDS = [
  { script: 'outbox:dead-letters', service: 'auth-service', file: 'outbox-replay', bad: [['--bogus'], ['--replay', '--id', 'x'], ['--id', '3'], ['--replay', 'now']] },
  { script: 'mail:dead-letters', service: 'auth-service', file: 'mail-replay', bad: [['--replay=yes'], ['--replay', '--id', '-1'], ['--id']] },
  { script: 'mfa:reseal', service: 'auth-service', file: 'mfa-reseal', bad: [['--all'], ['now']] },
  { script: 'users:reconcile', service: 'meetings-service', file: 'reconcile', bad: [['--since', 'yesterday'], ['--all'], ['extra']] },
  { script: 'users:role', service: 'auth-service', file: 'users-role', bad: [['--grant', 'admin'], ['--email', 'a@b.c'], ['--email', 'a@b.c', '--grant', 'root']] },
  { script: 'audit:verify', service: 'auth-service', file: 'audit-verify', bad: [['--bogus'], ['extra']] },
] as const;

async function load(service: string, file: string): Promise<CommandModule> {
  // A computed import, like support/services.ts: each service type-checks its own sources.
  const mod = (await import(pathToFileURL(repoPath('services', service, 'src', `${file}.ts`)).href)) as Partial<CommandModule>;
  if (typeof mod.main !== 'function') throw new Error(`services/${service}/src/${file}.ts exports no main(argv, io)`);
  return { main: mod.main };
}

async function run(mod: CommandModule, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await mod.main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.each(COMMANDS)('$script (services/$service/src/$file.ts)', ({ script, service, file, bad }) => {
  it.each(bad.map((argv) => [argv.join(' '), argv] as const))('answers `%s` with the problem and the usage, exit 2', async (_, argv) => {
    const result = await run(await load(service, file), [...argv]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(new RegExp(`^${script}: \\S`));
    expect(result.err).toContain('Usage:');
    expect(result.err).not.toMatch(/^\s+at /m);
    expect(result.out).toBe('');
  });

  it('prints its usage on --help, exit 0', async () => {
    const result = await run(await load(service, file), ['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`node dist/src/${file}.js`);
  });

  it('is the file its package script and the README name', () => {
    const scripts = (JSON.parse(readRepoFile('services', service, 'package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts[script]).toContain(`src/${file}.ts`);
    // Compiled by the image's build (tsconfig.build.json includes src/) and run from dist/.
    expect(readRepoFile('README.md')).toContain(`node dist/src/${file}.js`);
  });
});

describe('an operator command run as a process', () => {
  let db: TestDatabase;
  const exec = promisify(execFile);
  const tsx = repoPath('services', 'auth-service', 'node_modules', '.bin', 'tsx');
  const command = (args: string[], env: Record<string, string>) =>
    exec(tsx, ['--conditions=source', 'src/outbox-replay.ts', ...args], { cwd: repoPath('services', 'auth-service'), env: { PATH: process.env.PATH ?? '', ...env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  beforeAll(async () => {
    db = await createTestDatabase('e2e_operator', repoPath('services', 'auth-service', 'prisma', 'migrations'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('lists dead letters from its database, and exits 2 with the usage (no stack) on a wrong flag', async () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    const listed = await command([], env);
    expect(listed).toMatchObject({ code: 0, stdout: 'no dead letters\n' });
    const wrong = await command(['--replay', '--id', '12abc'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('outbox:dead-letters: --id must be a positive integer, got "12abc"');
    expect(wrong.stderr).not.toMatch(/^\s+at /m);
    // A configuration error is one message naming the variable, exit 1.
    const unconfigured = await command([], { NODE_ENV: 'production', DATABASE_URL: db.url });
    expect(unconfigured.code).toBe(1);
    expect(unconfigured.stderr).toMatch(/^outbox:dead-letters failed: .*JWT_PRIVATE_JWKS/s);
    expect(unconfigured.stderr).not.toMatch(/^\s+at /m);
    expect(readFileSync(repoPath('services', 'auth-service', 'tsconfig.build.json'), 'utf8')).toMatch(/"include": \["src"\]/);
  });
});
