// Holds every mutated file to the break threshold, not only the run as a whole (Stryker's
// `thresholds.break` is overall). Reads a Stryker JSON report (mutation-testing-report-schema).
// Usage: node .ci/mutation-per-file.mjs <package>/reports/mutation/mutation.json [threshold=85]
import { readFileSync } from 'node:fs';

const [file, threshold = '85'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node .ci/mutation-per-file.mjs <mutation.json> [threshold]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
let failed = false;
for (const [name, { mutants }] of Object.entries(report.files)) {
  const caught = mutants.filter((m) => detected.has(m.status)).length;
  const missed = mutants.filter((m) => undetected.has(m.status)).length;
  const total = caught + missed;
  const score = total === 0 ? 100 : (100 * caught) / total;
  const ok = score >= Number(threshold);
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${score.toFixed(1).padStart(5)} %  ${String(caught).padStart(4)}/${total}  ${name}`);
}
if (failed) console.error(`mutation score below ${threshold} % in at least one file`);
process.exit(failed ? 1 : 0);
