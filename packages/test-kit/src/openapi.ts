import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { expect, it } from 'vitest';
import { childEnv } from './config.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The repository's Redocly configuration: the recommended rules, and why any is changed. */
export const REDOCLY_CONFIG = fileURLToPath(new URL('../redocly.yaml', import.meta.url));

interface RedoclyProblem {
  ruleId: string;
  severity: string;
  message: string;
  location?: { pointer?: string }[];
}

/** `redocly lint` (@redocly/cli) on `file`: its totals and problems. */
export async function redoclyLint(file: string): Promise<{ errors: number; warnings: number; problems: string[] }> {
  const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  const env = childEnv({ REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' });
  const output = await run(process.execPath, [cli, 'lint', '--config', REDOCLY_CONFIG, '--format', 'json', file], { env, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => r.stdout,
    // Errors make it exit non-zero; the report is on stdout all the same.
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  const report = JSON.parse(output.slice(output.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: RedoclyProblem[] };
  const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location?.[0]?.pointer ?? ''}: ${p.message}`);
  return { errors: report.totals.errors, warnings: report.totals.warnings, problems };
}

/** The TypeScript types `openapi-typescript` generates from `file`, as a client generator would. */
export async function openapiTypes(file: string): Promise<string> {
  return astToString(await openapiTS(pathToFileURL(file)));
}

export interface OpenApiDocumentChecks {
  /** The package name, for the command that regenerates the file. */
  pkg: string;
  /** The committed document. */
  file: string;
  /** The document the code generates now, rendered for committing (http-kit `renderOpenApi`). */
  render: () => string;
}

/**
 * The checks every service's committed OpenAPI document passes: it is the one the code
 * generates (`pnpm --filter <pkg> openapi:write` rewrites it), Redocly's recommended rules find
 * nothing, and the types a client generator makes from it have no `unknown` intersections.
 */
/** Runs `check` on `text` written to a temporary `openapi.json`. */
async function withDocumentFile<T>(text: string, check: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, text);
    return await check(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function openApiDocumentTests(checks: OpenApiDocumentChecks): void {
  it('the committed document is the one the code generates', async () => {
    await expect(checks.render()).toMatchFileSnapshot(checks.file, `stale document: run \`pnpm --filter ${checks.pkg} openapi:write\``);
  });

  // The generated document, which the test above holds equal to the committed file (and which
  // `openapi:write` is about to commit: a file snapshot is written when the run ends).
  it('passes redocly lint with the recommended rules: no errors, no warnings', async () => {
    const { errors, warnings, problems } = await withDocumentFile(checks.render(), redoclyLint);
    expect(problems).toEqual([]);
    expect({ errors, warnings }).toEqual({ errors: 0, warnings: 0 });
  }, 60_000);

  it('turns into client types without `unknown` intersections', async () => {
    const types = await withDocumentFile(checks.render(), openapiTypes);
    expect(types).toContain('export interface paths');
    expect(types).not.toMatch(/unknown\s*&|&\s*\(?\s*unknown/);
  }, 60_000);
}
