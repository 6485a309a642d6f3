// `archipel delegate`, `archipel revoke-delegation`, `archipel position` (SPEC §4, §5.2, §6).
import { Command } from 'commander';
import type { BodyOf } from '../../core/formats/statement-types';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { scopeText } from '../format';

interface ScopeOptions {
  circle?: string;
  topic?: string;
  proposal?: string;
}

function scopeOf(o: ScopeOptions): BodyOf<'delegation.set'>['scope'] {
  if (o.topic !== undefined && o.proposal !== undefined) throw new UsageError('give --topic or --proposal, not both');
  if (o.topic !== undefined) return { topic: o.topic };
  if (o.proposal !== undefined) return { proposal: o.proposal };
  return { circle: true };
}

async function circleFor(ctx: CliContext, cmd: Command, o: ScopeOptions): Promise<string> {
  if (o.circle !== undefined) return o.circle;
  if (o.proposal !== undefined) {
    const a = ctx.acting(cmd);
    return (await a.api.get<{ circle: string }>(`/api/v1/proposals/${encodeURIComponent(o.proposal)}`)).circle;
  }
  throw new UsageError('--circle is required');
}

export function delegateCommand(ctx: CliContext): Command {
  return new Command('delegate')
    .description('Let another member vote for you: in a whole circle, on a topic, or on one proposal.')
    .requiredOption('--to <member>', 'her member id')
    .option('--circle <circle>', 'the circle (not needed with --proposal)')
    .option('--topic <topic>', 'only proposals of this topic')
    .option('--proposal <proposal>', 'only this proposal')
    .addHelpText('after', '\nExamples:\n  archipel delegate --to <member> --circle <c>\n  archipel delegate --to <member> --circle <c> --topic budget\n  archipel delegate --to <member> --proposal <p>\n')
    .action(async (o: ScopeOptions & { to: string }, cmd: Command) => {
      const a = ctx.acting(cmd);
      const circle = await circleFor(ctx, cmd, o);
      const scope = scopeOf(o);
      const appended = await a.api.post(a.signer.sign('delegation.set', circle, { to: o.to, scope }));
      ctx.print(cmd, { ...appended, to: o.to, scope }, ctx.t(cmd)('delegation.set', { to: o.to, scope: scopeText(scope), circle }));
    });
}

export function revokeDelegationCommand(ctx: CliContext): Command {
  return new Command('revoke-delegation')
    .description('Revoke your delegation of one scope.')
    .option('--circle <circle>', 'the circle (not needed with --proposal)')
    .option('--topic <topic>', 'the topic-scoped one')
    .option('--proposal <proposal>', 'the proposal-scoped one')
    .addHelpText('after', '\nExamples:\n  archipel revoke-delegation --circle <c>\n  archipel revoke-delegation --proposal <p>\n')
    .action(async (o: ScopeOptions, cmd: Command) => {
      const a = ctx.acting(cmd);
      const circle = await circleFor(ctx, cmd, o);
      const scope = scopeOf(o);
      const appended = await a.api.post(a.signer.sign('delegation.revoke', circle, { scope }));
      ctx.print(cmd, { ...appended, scope }, ctx.t(cmd)('delegation.revoked', { scope: scopeText(scope), circle }));
    });
}

export function positionCommand(ctx: CliContext): Command {
  return new Command('position')
    .description("Your position on the circle's regime cursor (SPEC §6).")
    .argument('<regime>', 'unanimity, do-ocracy, amendment or split')
    .requiredOption('--circle <circle>')
    .addHelpText('after', '\nExample:\n  archipel position do-ocracy --circle <c>\n')
    .action(async (position: string, o: { circle: string }, cmd: Command) => {
      const a = ctx.acting(cmd);
      const appended = await a.api.post(a.signer.sign('regime.position', o.circle, { position } as BodyOf<'regime.position'>));
      ctx.print(cmd, { ...appended, position }, ctx.t(cmd)('position.set', { circle: o.circle, position }));
    });
}
