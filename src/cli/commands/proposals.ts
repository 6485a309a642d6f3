// `archipel propose …`, `vote`, `retract`, `proposals`, `show`, `receipts` (SPEC §4, §5, §8):
// the window is given as a duration and the circle's regime is shown before
// anything is signed; a proposal's tally is shown with how her own weight is cast,
// and an adopted decision with its receipts up to the root.
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatTimestamp } from '../../core/formats/canonical-json';
import type { BodyOf } from '../../core/formats/statement-types';
import { CHOICES, PROPOSAL_KINDS, REGIMES } from '../../core/formats/vocabulary';
import type { Acting, CliContext } from '../context';
import { ApiError, UsageError } from '../errors';
import type { Translate } from '../i18n';
import { columns, formatDuration, formatParams, formatTotals, parseDuration, shortId } from '../format';
import { memberNames } from '../names';
import { CircleView, circleView, paramsFrom } from './circle';

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
  openedSeq: number;
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

/** One ancestor of a decision's circle, nearest first, with the decision's receipt there (SPEC §8). */
export interface ReceiptStep {
  circle: string;
  /** null: a circle this instance does not hold (on another instance, SPEC §12.2) */
  name: string | null;
  /** the child.decision entry in that circle's log; null: not carried there yet */
  receipt: { seq: number; leaf: string; recordedAt: string } | null;
}

const PROPOSAL_STATUSES = ['amending', 'open', 'closed'] as const;

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

function limitArg(value: string): number {
  if (!/^[1-9][0-9]{0,2}$/.test(value) || Number(value) > 100) throw new InvalidArgumentError('a whole number from 1 to 100');
  return Number(value);
}

interface ListOptions {
  circle?: string;
  open?: boolean;
  status?: (typeof PROPOSAL_STATUSES)[number];
  kind?: string;
  limit?: number;
  after?: string;
  all?: boolean;
}

/** Where a list read stopped: run `archipel proposals` with these to read on. */
interface More {
  circle: string;
  status?: string;
  after: string;
}

const PROPOSALS_HELP = `
Examples:
  archipel proposals --open
  archipel proposals --circle <c> --json
  archipel proposals --circle <c> --limit 5                  (the newest five, and the cursor of the next page)
  archipel proposals --circle <c> --limit 5 --after <next>   (the five before them)
  archipel proposals --circle <c> --status closed --all      (every page)
A cursor belongs to one list: --after needs --circle, and one status (--status, not --open).
`;

export function proposalsCommand(ctx: CliContext): Command {
  return new Command('proposals')
    .description('List proposals, newest first, a page at a time: of one circle, or of every circle you are in.')
    .option('--circle <circle>', 'only this circle')
    .option('--open', 'only those still amending or open')
    .addOption(new Option('--status <status>', 'only this status').choices(PROPOSAL_STATUSES).conflicts('open'))
    .addOption(new Option('--kind <kind>', 'only this kind').choices(PROPOSAL_KINDS))
    .option('--limit <n>', "proposals per page, 1 to 100 (else the instance's default, 20)", limitArg)
    .option('--after <cursor>', 'the page after this cursor (the "next" of the page before)')
    .option('--all', 'read every page, not only the first')
    .addHelpText('after', PROPOSALS_HELP)
    .action(async (o: ListOptions, cmd: Command) => {
      if (o.after !== undefined && o.circle === undefined) throw new UsageError("--after needs --circle: a cursor belongs to one circle's list");
      if (o.after !== undefined && o.open) throw new UsageError('--after pages one list: instead of --open, give --status amending or --status open');
      const a = ctx.acting(cmd);
      const { t } = a;
      const circles = o.circle
        ? [o.circle]
        : (await a.api.get<{ items: { id: string }[] }>(`/api/v1/members/${encodeURIComponent(a.profile.member)}/circles`)).items.map((c) => c.id);
      const statuses = o.open ? (['amending', 'open'] as const) : [o.status];
      const items: ProposalView[] = [];
      const more: More[] = [];
      for (const c of circles) {
        for (const status of statuses) {
          let after = o.after;
          for (let page = 1; ; page++) {
            if (page > 1) ctx.progress(cmd, t('proposals.reading', { circle: c, page }));
            const q = new URLSearchParams();
            if (status) q.set('status', status);
            if (o.kind) q.set('kind', o.kind);
            if (o.limit !== undefined) q.set('limit', String(o.limit));
            if (after !== undefined) q.set('after', after);
            const query = q.size > 0 ? `?${q.toString()}` : '';
            const answer = await a.api.get<{ items: ProposalView[]; next: string | null }>(`/api/v1/circles/${encodeURIComponent(c)}/proposals${query}`);
            items.push(...answer.items);
            after = answer.next ?? undefined;
            if (after === undefined || !o.all) break;
          }
          if (after !== undefined) more.push({ circle: c, ...(status ? { status } : {}), after });
        }
      }
      // One circle: newest opened first, as its pages go; several: by closing time.
      if (circles.length === 1) items.sort((x, y) => y.openedSeq - x.openedSeq);
      else items.sort((x, y) => (x.closesAt < y.closesAt ? 1 : -1));
      const next = circles.length === 1 && statuses.length === 1 ? (more[0]?.after ?? null) : null;
      const readOn = (m: More): string =>
        [`--circle ${m.circle}`, m.status ? `--status ${m.status}` : '', o.kind ? `--kind ${o.kind}` : '', o.limit !== undefined ? `--limit ${o.limit}` : '', `--after ${m.after}`]
          .filter((x) => x !== '')
          .join(' ');
      ctx.print(cmd, { items, next, more }, () => {
        const list =
          items.length === 0
            ? `${t('proposals.none')}\n`
            : columns([
                ['PROPOSAL', 'CIRCLE', 'KIND', 'STATUS', 'CLOSES', 'TITLE'],
                ...items.map((p) => [p.id, shortId(p.circle), p.kind, p.status === 'closed' ? `${p.result?.outcome ?? 'closed'}` : p.status, p.closesAt, p.title]),
              ]);
        return list + more.map((m) => `${t('proposals.more', { circle: m.circle, args: readOn(m) })}\n`).join('');
      });
    });
}

/** Whether a closed proposal's outcome is carried up to the ancestors (SPEC §8). */
function isCarried(p: ProposalView): boolean {
  return p.result?.outcome === 'adopted' || p.result?.outcome === 'forked';
}

/**
 * The ancestors of the proposal's circle, from its parent to the root, each with the proposal's
 * child.decision receipt there (GET /api/v1/proposals/:id/receipts) or null while not carried yet.
 */
export async function receiptChain(a: Acting, p: ProposalView): Promise<{ home: CircleView; steps: ReceiptStep[] }> {
  const [home, answer] = await Promise.all([
    circleView(a, p.circle),
    a.api.get<{ items: { ancestor: string; seq: number; leaf: string; recordedAt: string }[] }>(`/api/v1/proposals/${encodeURIComponent(p.id)}/receipts`),
  ]);
  const receiptIn = new Map(answer.items.map((r) => [r.ancestor, { seq: r.seq, leaf: r.leaf, recordedAt: r.recordedAt }]));
  const steps: ReceiptStep[] = [];
  const seen = new Set([home.id]);
  for (let parent = home.parent; parent !== null && !seen.has(parent); ) {
    seen.add(parent);
    let view: CircleView | null = null;
    try {
      view = await circleView(a, parent);
    } catch (e) {
      // A parent on another instance (SPEC §12.2): the walk stops there.
      if (!(e instanceof ApiError && e.status < 500)) throw e;
    }
    steps.push({ circle: parent, name: view?.name ?? null, receipt: receiptIn.get(parent) ?? null });
    parent = view?.parent ?? null;
  }
  for (const [ancestor, receipt] of receiptIn) if (!seen.has(ancestor)) steps.push({ circle: ancestor, name: null, receipt });
  return { home, steps };
}

/** One line per ancestor: `Garden (f3N…)  seq 7, 2026-12-05 10:00:01`. */
function receiptRows(t: Translate, steps: ReceiptStep[]): string[][] {
  return steps.map((s) => [
    s.name === null ? s.circle : `${s.name} (${s.circle})`,
    s.receipt === null
      ? t(s.name === null ? 'receipts.elsewhere' : 'receipts.pending')
      : t('receipts.at', { seq: s.receipt.seq, at: s.receipt.recordedAt.replace('T', ' ').replace(/\.\d{3}Z$/, '') }),
  ]);
}

export function receiptsCommand(ctx: CliContext): Command {
  const description = "An adopted decision's receipts (SPEC §8): the child.decision entry in each ancestor's log, up to the root.";
  return onProposalCommand(ctx, 'receipts', description, async (cmd, a, p) => {
    const t = ctx.t(cmd);
    const carried = isCarried(p);
    const { home, steps } = carried ? await receiptChain(a, p) : { home: null, steps: [] };
    const complete = carried && steps.every((s) => s.receipt !== null);
    const outcome = p.result?.outcome ?? null;
    ctx.print(cmd, { proposal: p.id, circle: p.circle, status: p.status, outcome, complete, receipts: steps }, () => {
      if (p.status !== 'closed') return t('receipts.open');
      if (!carried || home === null) return t('receipts.notCarried', { outcome: outcome ?? '' });
      const head = t('receipts.title', { title: p.title, kind: p.kind, proposal: p.id, outcome: outcome ?? '', circle: `${home.name} (${home.id})` });
      if (steps.length === 0) return `${head}\n${t('receipts.root', { circle: home.name })}`;
      const done = steps.filter((s) => s.receipt !== null).length;
      const table = columns(receiptRows(t, steps).map(([where, what], i) => [`  ${where}`, what, steps[i].receipt ? `leaf ${steps[i].receipt?.leaf}` : '']));
      return `${head}\n${table}${complete ? t('receipts.complete') : t('receipts.incomplete', { done, total: steps.length })}`;
    });
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
    const [names, carried] = await Promise.all([memberNames(a.api, weight?.chain ?? []), isCarried(p) ? receiptChain(a, p) : null]);
    const receipts = carried?.steps ?? [];
    ctx.print(cmd, { ...p, weight, receipts }, () => {
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
        receiptRows(t, receipts).forEach(([where, what], i) => lines.push(`  ${(i === 0 ? t('label.receipts') : '').padEnd(11)}${where}: ${what}`));
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
