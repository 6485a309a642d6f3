#!/usr/bin/env node
// `npm run fuzz [-- CASES [SEED]]`: the long run of the fuzz campaign (docs/testing.md). Runs
// test/e2e/fuzz-campaign.spec.ts with FUZZ_CASES (default 100,000) through test/run-tests.js, so
// the same services are used as by `npm test`, and writes its figures to fuzz-report.json (every
// 10 s while it runs, marked `partial`, then once at the end).
const { spawnSync } = require('node:child_process');
const { readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const [cases = process.env.FUZZ_CASES || '100000', seed = process.env.FUZZ_SEED || String(Date.now() % 2147483647)] = process.argv.slice(2);
const report = process.env.FUZZ_REPORT || join(process.cwd(), 'fuzz-report.json');
const env = { ...process.env, FUZZ_CASES: cases, FUZZ_SEED: seed, FUZZ_REPORT: report, FUZZ_PROGRESS: '1', FUZZ_MAX_CIRCLES: process.env.FUZZ_MAX_CIRCLES || '20' };
rmSync(report, { force: true });
process.stdout.write(`fuzz: ${cases} cases, seed ${seed} (FUZZ_SEED=${seed} repeats this run)\n`);
const run = spawnSync(process.execPath, [join(__dirname, 'run-tests.js'), '--selectProjects', 'e2e', '--testPathPatterns', 'fuzz-campaign', '--testTimeout', '0'], { stdio: 'inherit', env });
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const what = r.partial ? `stopped after ${r.cases} of ${cases} cases` : `${r.cases} cases`;
  process.stdout.write(`fuzz: ${what} in ${r.seconds} s (${Math.round(r.cases / r.seconds)}/s): ${r.valid} valid, ${r.refused} refused, ${r.problems.length} problems; report in ${report}\n`);
} catch {
  process.stdout.write('fuzz: no report written (the run stopped before its first figures)\n');
}
process.exit(run.status ?? 1);
