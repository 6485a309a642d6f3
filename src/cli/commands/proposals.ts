// `archipel propose …`, `vote`, `retract`, `proposals`, `show` (SPEC §4, §5):
// the window is given as a duration and the circle's regime is shown before
// anything is signed; a proposal's tally is shown with how her own weight is cast.
import { Command, InvalidArgumentError } from 'commander';
import { formatTimestamp } from '../../core/formats/canonical-json';
import type { BodyOf } from '../../core/formats/statement-types';
import { CHOICES, REGIMES } from '../../core/formats/vocabulary';
import type { Acting, CliContext } from '../context';
import { UsageError } from '../errors';
import { columns, formatDuration, formatParams, formatTotals, parseDuration, shortId } from '../format';
import { memberNames } from '../names';
import { circleView, paramsFrom } from './circle';

export interface ProposalView {
  id: string;
  circle: string;
  kind: string;
  title: string;
  text: string;
  topic: string | null;
  regime: string;
  params: Record<string, unknown>;
  status: 'amending' | 'open' | 'closed';
  closesAt: string;
  amendmentsCloseAt?: string;
  provisional?: { E: number; Y: number; N: number; A: number; O: number; lost: number; absent: number };
  result?: { outcome: string; totals: { E: number; Y: number; N: number; A: number; O: number }; lost: { weight: number; cycles: string[][] }; absent: number; void?: string[] };
}

export interface WeightView {
  member: string;
  cast: 'direct' | 'delegated' | 'lost' | 'absent';
  choice?: string;
  chain: string[];
  cycle?: string[];
}

export function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('a duration such as 90s, 45m, 2h, 3d, 1w or 1d12h');
  return ms;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface Common {
  circle?: string;
  title?: string;
  text?: string;
  topic?: string;
  closesIn?: number;
}

const PROPOSE_HELP = `
Examples:
  archipel propose motion --circle <c> --title "Buy a mower" --text "…" --closes-in 3d
  archipel propose motion --circle <c> --title "…" --closes-in 1w --ratify   (ask the parent to ratify)
  archipel propose amendment --motion <p> --find "a mower" --replace "two mowers" --title "Two"
  archipel propose regime --circle <c> --regime do-ocracy --param objectionShare=1/5 --title "…" --closes-in 2d
  archipel propose membership --circle <c> --member <id> --title "…" --closes-in 5d
  archipel propose split --circle <c> --name "Garden (east)" --title "…" --closes-in 3d
The circle's regime and parameters are printed before the proposal is signed.
`;

export function proposeCommand(ctx: CliContext): Command {
  const propose = new Command('propose').description('Open a proposal in a circle.').addHelpText('after', PROPOSE_HELP);

  const withCommon = (cmd: Command, needsWindow = true): Command =>
    cmd
      .option('--circle <circle>', 'the circle it is decided in')
      .option('--title <title>', 'a one-line title')
      .option('--text <text>', 'the full text', '')
      .option('--topic <topic>', 'a topic (topic-scoped delegations follow it)')
      .option(`--closes-in <duration>`, needsWindow ? 'how long it stays open: 90s, 45m, 2h, 3d, 1w…' : 'ignored', durationArg);

  const open = async (cmd: Command, o: Common, extra: Record<string, unknown>, kind: string): Promise<void> => {
    const a = ctx.acting(cmd);
    const { t } = a;
    if (o.circle === undefined) throw new UsageError('--circle is required');
    if (o.title === undefined) throw new UsageError('--title is required');
    if (o.closesIn === undefined) throw new UsageError('--closes-in is required (e.g. 3d)');
    const c = await circleView(a, o.circle);
    if (!ctx.globals(cmd).json) ctx.io.stderr.write(`${t('proposal.regime', { circle: c.name, regime: c.regime, params: formatParams(c.params) })}\n`);
    const closesAt = formatTimestamp(Date.now() + o.closesIn);
    const body = { kind, title: o.title, text: o.text ?? '', ...(o.topic ? { topic: o.topic } : {}), closesAt, ...extra } as BodyOf<'proposal.open'>;
    await report(cmd, a, o.circle, c.regime, body, o.closesIn);
  };

  const report = async (cmd: Command, a: Acting, circle: string, regime: string, body: BodyOf<'proposal.open'>, windowMs: number): Promise<void> => {
    const appended = await a.api.post(a.signer.sign('proposal.open', circle, body));
    ctx.print(cmd, { proposal: appended.id, circle, seq: appended.seq, regime, closesAt: body.closesAt }, ctx.t(cmd)('proposal.opened', { proposal: appended.id as string, circle, regime, closesAt: body.closesAt, closesIn: formatDuration(windowMs) }));
  };

  withCommon(propose.command('motion').description('A text decision.'))
    .option('--ratify', 'once adopted, ask the parent circle to ratify it')
    .option('--doer <member>', 'who will carry it out')
    .action(async (o: Common & { ratify?: boolean; doer?: string }, cmd: Command) =>
      open(cmd, o, { ...(o.ratify ? { ratify: true } : {}), ...(o.doer ? { doer: o.doer } : {}) }, 'motion'),
    );

  propose
    .command('amendment')
    .description("An exact text edit to a motion in its amending phase (it closes with the motion's amending phase).")
    .requiredOption('--motion <proposal>', 'the motion it amends')
    .requiredOption('--find <text>', 'text occurring exactly once in the motion')
    .requiredOption('--replace <text>', 'what replaces it')
    .requiredOption('--title <title>', 'a one-line title')
    .option('--text <text>', 'why', '')
    .action(async (o: { motion: string; find: string; replace: string; title: string; text: string }, cmd: Command) => {
      const a = ctx.acting(cmd);
      const motion = await a.api.get<ProposalView>(`/api/v1/proposals/${encodeURIComponent(o.motion)}`);
      if (motion.amendmentsCloseAt === undefined) throw new UsageError(`${o.motion} is not a motion under the amendment regime`);
      if (!ctx.globals(cmd).json) ctx.io.stderr.write(`${ctx.t(cmd)('proposal.regime', { circle: motion.circle, regime: motion.regime, params: formatParams(motion.params) })}\n`);
      const body = { kind: 'amendment', title: o.title, text: o.text, closesAt: motion.amendmentsCloseAt, target: o.motion, find: o.find, replace: o.replace } as BodyOf<'proposal.open'>;
      await report(cmd, a, motion.circle, motion.regime, body, Date.parse(motion.amendmentsCloseAt) - Date.now());
    });

  withCommon(propose.command('regime').description("Change the circle's regime and parameters."))
    .requiredOption('--regime <regime>', REGIMES.join(', '))
    .option('--param <name=value>', 'a parameter (repeatable)', collect)
    .action(async (o: Common & { regime: string; param?: string[] }, cmd: Command) => open(cmd, o, { regime: o.regime, params: paramsFrom(o.param) ?? {} }, 'regime'));

  withCommon(propose.command('membership').description('Remove a member from the circle.'))
    .requiredOption('--member <member>', 'the member to remove')
    .action(async (o: Common & { member: string }, cmd: Command) => open(cmd, o, { member: o.member }, 'membership'));

  withCommon(propose.command('split').description('An explicit fork: those who vote leave form a new circle.'))
    .requiredOption('--name <name>', "the new circle's name")
    .action(async (o: Common & { name: string }, cmd: Command) => open(cmd, o, { name: o.name }, 'split'));

  for (const sub of propose.commands) sub.addHelpText('after', PROPOSE_HELP);
  return propose;
}

async function proposalView(a: Acting, id: string): Promise<ProposalView> {
  return a.api.get<ProposalView>(`/api/v1/proposals/${encodeURIComponent(id)}`);
}

export function voteCommand(ctx: CliContext): Command {
  return new Command('vote')
    .description('Vote on a proposal (your last vote before it closes counts; it overrides your delegation).')
    .argument('<proposal>')
    .argument('<choice>', CHOICES.join('|'))
    .option('--reason <text>', 'why (required with object)')
    .addHelpText('after', '\nExamples:\n  archipel vote <proposal> yes\n  archipel vote <proposal> object --reason "It blocks the path"\n  archipel vote <proposal> leave      (a split proposal)\n')
    .action(async (id: string, choice: string, o: { reason?: string }, cmd: Command) => {
      if (!(CHOICES as readonly string[]).includes(choice)) throw new UsageError(`choice must be one of ${CHOICES.join(', ')}`);
      const a = ctx.acting(cmd);
      const p = await proposalView(a, id);
      const body = { proposal: id, choice, ...(o.reason !== undefined ? { reason: o.reason } : {}) } as BodyOf<'vote.cast'>;
      const appended = await a.api.post(a.signer.sign('vote.cast', p.circle, body));
      ctx.print(cmd, { ...appended, proposal: id, choice }, ctx.t(cmd)('vote.cast', { choice, proposal: id }));
    });
}

/** `archipel NAME <proposal>`: `run` gets the proposal as the API shows it to this profile's member. */
function onProposalCommand(ctx: CliContext, name: string, description: string, run: (cmd: Command, a: Acting, p: ProposalView) => Promise<void>): Command {
  return new Command(name)
    .description(description)
    .argument('<proposal>')
    .addHelpText('after', `\nExample:\n  archipel ${name} <proposal>\n`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const a = ctx.acting(cmd);
      await run(cmd, a, await proposalView(a, id));
    });
}

export function retractCommand(ctx: CliContext): Command {
  return onProposalCommand(ctx, 'retract', 'Withdraw your direct vote: your delegation applies again.', async (cmd, a, p) => {
    const appended = await a.api.post(a.signer.sign('vote.retract', p.circle, { proposal: p.id }));
    ctx.print(cmd, { ...appended, proposal: p.id }, ctx.t(cmd)('vote.retracted', { proposal: p.id }));
  });
}

export function proposalsCommand(ctx: CliContext): Command {
  return new Command('proposals')
    .description('List proposals, newest first: of one circle, or of every circle you are in.')
    .option('--circle <circle>', 'only this circle')
    .option('--open', 'only those still amending or open')
    .addHelpText('after', '\nExamples:\n  archipel proposals --open\n  archipel proposals --circle <c> --json\n')
    .action(async (o: { circle?: string; open?: boolean }, cmd: Command) => {
      const a = ctx.acting(cmd);
      const circles = o.circle
        ? [o.circle]
        : (await a.api.get<{ items: { id: string }[] }>(`/api/v1/members/${encodeURIComponent(a.profile.member)}/circles`)).items.map((c) => c.id);
      const statuses = o.open ? ['amending', 'open'] : [undefined];
      const items: ProposalView[] = [];
      for (const c of circles) {
        for (const status of statuses) {
          const q = status ? `?status=${status}` : '';
          items.push(...(await a.api.get<{ items: ProposalView[] }>(`/api/v1/circles/${encodeURIComponent(c)}/proposals${q}`)).items);
        }
      }
      items.sort((x, y) => (x.closesAt < y.closesAt ? 1 : -1));
      ctx.print(cmd, { items }, () =>
        items.length === 0
          ? ctx.t(cmd)('proposals.none')
          : columns([
              ['PROPOSAL', 'CIRCLE', 'KIND', 'STATUS', 'CLOSES', 'TITLE'],
              ...items.map((p) => [p.id, shortId(p.circle), p.kind, p.status === 'closed' ? `${p.result?.outcome ?? 'closed'}` : p.status, p.closesAt, p.title]),
            ]),
      );
    });
}

export function showCommand(ctx: CliContext): Command {
  const description = 'A proposal: its text, its provisional or final tally, and how your own weight is cast.';
  return onProposalCommand(ctx, 'show', description, async (cmd, a, p) => {
    const t = ctx.t(cmd);
    let weight: WeightView | null = null;
    try {
      weight = await a.api.get<WeightView>(`/api/v1/proposals/${encodeURIComponent(p.id)}/weights/${encodeURIComponent(a.profile.member)}`);
    } catch {
      weight = null; // not eligible on it
    }
    const names = await memberNames(a.api, weight?.chain ?? []);
    ctx.print(cmd, { ...p, weight }, () => {
      const left = Date.parse(p.closesAt) - Date.now();
      const row = (label: string, value: string): string => `  ${t(label).padEnd(11)}${value}`;
      const closes = `${t('label.closes', { at: p.closesAt })}${left > 0 ? ` (${t('label.in', { duration: formatDuration(left) })})` : ''}`;
      const lines = [
        `${p.title} (${p.kind}, ${p.id})`,
        row('label.circle', p.circle),
        row('label.regime', `${p.regime} (${formatParams(p.params)})`),
        row('label.status', `${p.status}${p.status === 'closed' ? '' : `, ${closes}`}`),
        ...(p.topic ? [row('label.topic', p.topic)] : []),
      ];
      if (p.result) {
        lines.push(row('label.result', `${p.result.outcome}: ${formatTotals({ ...p.result.totals, lost: p.result.lost.weight, absent: p.result.absent }, p.regime)}`));
      } else if (p.provisional) {
        lines.push(row('label.soFar', formatTotals(p.provisional, p.regime)));
      }
      const chain = (weight?.chain ?? []).map(names).join(' → ');
      lines.push(
        `  ${
          weight === null
            ? t('weight.notEligible')
            : weight.cast === 'direct'
              ? t('weight.direct', { choice: weight.choice ?? '' })
              : weight.cast === 'delegated'
                ? t('weight.delegated', { chain, choice: weight.choice ?? '' })
                : weight.cast === 'lost'
                  ? t('weight.lost', { chain })
                  : t('weight.absent')
        }`,
      );
      if (p.text) lines.push('', p.text);
      return lines.join('\n');
    });
  });
}
