// The `archipel` program: global options, one command group per file under
// commands/, and the one place errors become messages and exit statuses.
import { Command, CommanderError, Option } from 'commander';
import { CliContext, CliIo } from './context';
import { ApiError, EXIT, InputError, ProfileError, UsageError, VerifyFailed } from './errors';
import { circleCommand } from './commands/circle';
import { delegateCommand, positionCommand, revokeDelegationCommand } from './commands/delegation';
import { initCommand, keyCommand, whoamiCommand } from './commands/member';
import { proposalsCommand, proposeCommand, receiptsCommand, retractCommand, showCommand, voteCommand } from './commands/proposals';
import { verifyCommand } from './commands/verify';
import { watchCommand } from './commands/watch';

export type { CliIo } from './context';

const HELP_AFTER = `
A first session:
  archipel init --instance https://archipel.example --name Alice
  archipel circle create "Garden" --regime do-ocracy
  archipel circle invite <circle> <Bob's member id>
  archipel propose motion --circle <circle> --title "Buy a mower" --closes-in 3d
  archipel vote <proposal> support
  archipel show <proposal>
  archipel receipts <proposal>       (an adopted decision, carried up to the root)
  archipel watch <circle>

Every command takes --json (output for scripts) and --lang en|fr (else LC_ALL,
LC_MESSAGES, LANG). Exit status: 0 done, 1 verification failed, 2 usage error,
3 an input or the instance could not be read, 4 the instance refused (its code
and message are printed), 5 no profile (run archipel init), 6 the instance failed.
`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('archipel')
    .description("Archipel's command line: act as a member of an instance, and verify its signed logs offline.")
    .option('--json', 'print JSON (one object, or JSON Lines for watch) instead of text')
    .addOption(new Option('--lang <lang>', 'language of messages').choices(['en', 'fr']))
    .option('--profile <name>', 'the profile (one per instance) to act as; needed when there are several')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showHelpAfterError(ctx.t()('usage.hint'))
    .addHelpText('after', HELP_AFTER);
  for (const command of [
    initCommand(ctx),
    whoamiCommand(ctx),
    keyCommand(ctx),
    circleCommand(ctx),
    proposeCommand(ctx),
    voteCommand(ctx),
    retractCommand(ctx),
    delegateCommand(ctx),
    revokeDelegationCommand(ctx),
    positionCommand(ctx),
    proposalsCommand(ctx),
    showCommand(ctx),
    receiptsCommand(ctx),
    watchCommand(ctx),
    verifyCommand(ctx),
  ]) {
    program.addCommand(command);
  }
  // Subcommands of groups (key add, circle create…) write and exit as the program does.
  const inherit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) });
      sub.showHelpAfterError(ctx.t()('usage.hint'));
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

function failureLine(f: VerifyFailed): string {
  if (f.seq !== null) {
    const where = f.subject === 'registry log' ? 'registry log: ' : '';
    return `FAIL seq ${f.seq}: ${where}${f.reason} [${f.code}]\n`;
  }
  return `FAIL ${f.subject}: ${f.reason} [${f.code}]\n`;
}

/** `archipel …` with `argv` the arguments after the program name; resolves to the exit status. */
/** A circle or proposal id (22 characters) or a member or key id (43) that starts with "-". */
const DASH_ID = /^-(?:[A-Za-z0-9_-]{20}[AQgw]|[A-Za-z0-9_-]{41}[AEIMQUYcgkosw048])$/;

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  // One id in 64 starts with "-" (base64url): given as an argument, it reads as an unknown option.
  // When one is there, the commands take unknown "options" as arguments for this run (a mistyped
  // option then fails as a bad argument instead).
  if (argv.some((a) => DASH_ID.test(a))) for (const c of allCommands(program)) c.allowUnknownOption();
  const json = argv.includes('--json');
  const langFlag = argv.indexOf('--lang');
  const tr = langFlag >= 0 ? new CliContext({ ...io, env: { LANG: argv[langFlag + 1] } }).t() : ctx.t();
  const fail = (status: number, payload: Record<string, unknown>, text: string): number => {
    io.stderr.write(json ? `${JSON.stringify({ error: payload })}\n` : text);
    return status;
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof VerifyFailed) return fail(EXIT.FAILED, { code: e.code, message: e.reason, seq: e.seq }, failureLine(e));
    if (e instanceof UsageError) return fail(EXIT.USAGE, { code: 'USAGE', message: e.message }, `error: ${e.message}\n${tr('usage.hint')}\n`);
    if (e instanceof InputError) return fail(EXIT.UNREADABLE, { code: 'UNREADABLE', message: e.message }, `error: ${e.message}\n`);
    if (e instanceof ProfileError) return fail(EXIT.NO_PROFILE, { code: 'NO_PROFILE', message: e.message }, `error: ${e.message}\n`);
    if (e instanceof ApiError) {
      const payload = { code: e.code, message: e.message, status: e.status, ...(e.field ? { field: e.field } : {}) };
      if (e.status >= 500) return fail(EXIT.INSTANCE_FAILED, payload, `${tr('error.instanceFailed', { status: e.status, code: e.code, message: e.message })}\n`);
      return fail(EXIT.REFUSED, payload, `${tr('error.refused', { code: e.code, message: e.message })}${e.field ? ` [${e.field}]` : ''}\n`);
    }
    throw e;
  }
}
