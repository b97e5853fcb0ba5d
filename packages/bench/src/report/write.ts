import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Figure, ScenarioResult } from './figures.js';
import type { ServiceProfile } from '../scenarios/profiles.js';
import type { MachineInfo } from './machine.js';

export interface BenchReport {
  generatedAt: string;
  wallTimeSec: number;
  machine: MachineInfo;
  settings: Record<string, string>;
  scenarios: ScenarioResult[];
  /** CPU profiles of the hot paths (self time). */
  profiles: ServiceProfile[];
  /** Things the harness had to work around (named in the report). */
  warnings: string[];
  /** Scenarios that could not run, with the reason. */
  failures: { scenario: string; error: string }[];
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 3 }));

function verdict(f: Figure): string {
  if (f.target === undefined) return '';
  return f.pass ? '**pass**' : '**FAIL**';
}

const targetText = (f: Figure) => (f.target === undefined ? '' : `${f.target.op} ${fmt(f.target.value)} ${f.unit}`);

function figureRows(figures: readonly Figure[]): string[] {
  return figures.map((f) => `| ${f.scenario} | ${f.title} | ${fmt(f.value)} ${f.unit} | ${targetText(f)} | ${verdict(f)} |`);
}

export function toMarkdown(r: BenchReport): string {
  const all = r.scenarios.flatMap((s) => s.figures);
  const targets = all.filter((f) => f.target !== undefined);
  const passed = targets.filter((f) => f.pass).length;
  const lines = [
    '# authmeet benchmark',
    '',
    `Generated ${r.generatedAt} by \`pnpm bench\` (packages/bench) in ${Math.round(r.wallTimeSec)} s. Targets met: ${passed}/${targets.length}.`,
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${r.machine.cpuModel}, ${r.machine.cores} cores |`,
    `| memory | ${r.machine.memoryGiB} GiB |`,
    `| OS | ${r.machine.kernel} |`,
    `| Node.js | ${r.machine.node} |`,
    `| PostgreSQL | ${r.machine.postgres} |`,
    `| Redis | ${r.machine.redis} |`,
    `| load average at start | ${r.machine.loadAverageAtStart.join(' ')} |`,
    ...Object.entries(r.machine.versions).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Settings',
    '',
    ...Object.entries(r.settings).map(([k, v]) => `- \`${k}\`: ${v}`),
    '',
    '## Summary',
    '',
    '| # | figure | value | target | result |',
    '|---|---|---|---|---|',
    ...figureRows(all.filter((f) => f.target !== undefined)),
    '',
    '## All figures',
    '',
  ];
  for (const s of r.scenarios) {
    lines.push(`### ${s.scenario}. ${s.title}`, '', '| # | figure | value | target | result |', '|---|---|---|---|---|', ...figureRows(s.figures), '');
    for (const note of s.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  if (r.profiles.length > 0) {
    lines.push(
      '## Where the CPU goes (V8 CPU profile, self time)',
      '',
      'Each service restarted with `--inspect=127.0.0.1:<port>`, warmed up, then sampled (every 0.5 ms) through the inspector during one measured run only, so start-up work is not in the figures. `writev` / `writeUtf8String` are the socket-write system calls (HTTP responses, Postgres and Redis commands); `(idle)` is the event loop waiting.',
      '',
    );
    for (const p of r.profiles) {
      lines.push(
        `### ${p.service} under ${p.load}`,
        '',
        `${p.rpsWhileProfiled} req/s while profiled, ${Math.round(p.summary.totalMs / 1000)} s sampled. Profile: \`results/profiles/${p.file}\` (git-ignored; open it in Chrome DevTools).`,
        '',
        '| by area | self |',
        '|---|---|',
        ...p.summary.areas.slice(0, 10).map((a) => `| ${a.name} | ${a.selfPercent}% |`),
        '',
        '| hottest functions | self |',
        '|---|---|',
        ...p.summary.functions.slice(0, 12).map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.selfPercent}% |`),
        '',
      );
    }
  }
  if (r.warnings.length > 0) {
    lines.push('## Warnings', '');
    for (const w of r.warnings) lines.push(`- ${w}`);
    lines.push('');
  }
  if (r.failures.length > 0) {
    lines.push('## Scenarios that did not run', '');
    for (const f of r.failures) lines.push(`- ${f.scenario}: \`${f.error.split('\n')[0] ?? ''}\``);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export async function writeReport(dir: string, report: BenchReport, name = 'latest'): Promise<{ md: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const md = join(dir, `${name}.md`);
  const json = join(dir, `${name}.json`);
  await writeFile(md, toMarkdown(report));
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  return { md, json };
}
