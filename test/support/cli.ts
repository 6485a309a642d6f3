// The shipped CLI (`bin/archipel.js`, built by `npm test`'s pretest), run asynchronously: the
// instance answering it usually runs in the test's own process.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const CLI = resolve(__dirname, '../../bin/archipel.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function archipel(...args: string[]): Promise<CliRun> {
  return archipelWith({}, ...args);
}

/**
 * The CLI with these environment variables over the test's own (a member's own
 * `XDG_CONFIG_HOME`, `LANG`); standard input is closed, so it never prompts.
 */
export function archipelWith(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** `archipel verify --instance URL --circle ID` for each circle; returns how many tallies were recomputed. */
export async function verifyCircles(url: string, circles: string[]): Promise<number> {
  let tallies = 0;
  for (const circle of circles) {
    const run = await archipel('verify', '--instance', url, '--circle', circle);
    if (run.status !== 0) throw new Error(`archipel verify ${circle} exited ${run.status}: ${run.stderr}`);
    tallies += Number(/(\d+) tally results? recomputed/.exec(run.stdout)?.[1] ?? NaN);
  }
  return tallies;
}
