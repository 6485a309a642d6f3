// The `archipel` command line's entry: `bin/archipel.js` and `node dist/cli/archipel.js`.
// program.ts assembles the commands (one file per group under commands/);
// verify-pool.ts is also the script of the verifier's worker threads.
import '../platform/node';
import { isMainThread } from 'node:worker_threads';
import { runCli } from './program';

export { EXIT, InputError, UsageError, VerifyFailed, ApiError, ProfileError } from './errors';
export { lineBatches, splitLines } from './sources';
export { DEFAULT_BATCH_BYTES, verifyLogStream } from './verify-pool';
export type { VerifyLogOptions } from './verify-pool';
export { runVerify } from './commands/verify';
export type { VerifyReport, VerifyRequest } from './commands/verify';
export { runCli } from './program';
export type { CliIo } from './program';

/** The process entry. */
export function main(): void {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, interactive: process.stdin.isTTY === true }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`archipel: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}

if (isMainThread && require.main === module) {
  main();
}
