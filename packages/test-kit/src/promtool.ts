import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { toolEnv } from './config.js';

/** An executable: `explicit` if set, else the first `name` on PATH; undefined if none. */
export function findExecutable(name: string, explicit?: string): string | undefined {
  const env = toolEnv();
  const candidates = [explicit, ...env.path.split(delimiter).map((d) => join(d, name))];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/**
 * Prometheus' own checker, from Debian's `prometheus` package (.ci/system-packages.sh installs
 * it). A missing promtool fails the check loudly rather than skipping it.
 */
export function findPromtool(): string {
  const found = findExecutable('promtool', toolEnv().promtool);
  if (found === undefined) throw new Error("promtool not found: .ci/system-packages.sh installs Debian's prometheus package (or set PROMTOOL)");
  return found;
}

export interface PromtoolResult {
  code: number;
  output: string;
}

/** Runs promtool with `args`, feeding `input` on stdin; never throws on a failed check. */
export function promtool(args: string[], input?: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(findPromtool(), args, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      if (code === -1 && error !== null) {
        reject(error);
        return;
      }
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
    child.stdin?.end(input ?? '');
  });
}

/** `promtool check metrics`: naming conventions (`_total` counters, units, no reserved labels). */
export const lintMetrics = (exposition: string) => promtool(['check', 'metrics'], exposition);
