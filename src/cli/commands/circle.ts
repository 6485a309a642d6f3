// `archipel circle create|list|show|tree|members|forks|invite|join|leave` (SPEC §4, §7):
// statements signed with her key, reads from the documented read routes.
import { Command } from 'commander';
import type { BodyOf } from '../../core/formats/statement-types';
import { instanceFromNoteKey, originOf } from '../../core/verify/checkpoint-checks';
import { readWitnessing, type Witnessing } from '../../core/verify/witnessing';
import type { Acting, CliContext } from '../context';
import { ApiError, InputError, UsageError } from '../errors';
import { columns, formatParams } from '../format';
import { memberNames } from '../names';

export interface CircleView {
  id: string;
  name: string;
  parent: string | null;
  children: string[];
  members: string[];
  regime: string;
  params: Record<string, unknown>;
  size: number;
  forkedFrom?: { circle: string; atSeq: number } | null;
}

interface CircleItem {
  id: string;
  name: string;
  parent: string | null;
  regime: string;
  size: number;
  children?: string[];
}

/** A circle forked out of another (GET /api/v1/circles/:id/forks, SPEC §7). */
export interface ForkView {
  circle: string;
  name: string;
  /** the proposal whose tally decided the fork */
  proposal: string;
  /** the last shared entry */
  atSeq: number;
  members: string[];
}

/** The witnesses' cosignatures on the newest checkpoint the instance serves cosigned (SPEC §12.1). */
export interface CosignedView {
  /** the key names of the cosignature lines, each once, by name */
  witnesses: string[];
  /** the size of the log that checkpoint covers */
  size: number;
}

export async function circleView(a: Acting, circle: string): Promise<CircleView> {
  return a.api.get<CircleView>(`/api/v1/circles/${encodeURIComponent(circle)}`);
}

/**
 * `GET …/checkpoint?cosigned=1`: the newest checkpoint meeting the instance's witness policy, opened
 * with the instance's published key, and the names on its cosignature/v1 lines (read by the core,
 * as the web app does); null when it serves none (no policy, nothing cosigned yet, or a policy
 * needing no witness). The lines are counted as served: `archipel verify --witness` checks them
 * against keys one trusts.
 */
export async function cosignedCheckpoint(a: Acting, circle: string): Promise<CosignedView | null> {
  let note: string;
  try {
    note = await a.api.getText(`/api/v1/circles/${encodeURIComponent(circle)}/checkpoint?cosigned=1`);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'NO_COSIGNED_CHECKPOINT') return null;
    throw e;
  }
  const { noteKey } = await a.api.get<{ noteKey: string }>('/.well-known/archipel.json');
  let witnessing: Witnessing;
  try {
    witnessing = readWitnessing(note, noteKey, originOf(instanceFromNoteKey(noteKey).name, circle));
  } catch (e) {
    throw new InputError(`the cosigned checkpoint of ${circle} is not one the instance signed: ${(e as Error).message}`);
  }
  return witnessing.state === 'none' ? null : { witnesses: witnessing.witnesses.map((w) => w.name), size: witnessing.size };
}

/** `k=v` pairs of --param into a params object (values as written: decimals or fractions). */
export function paramsFrom(pairs: string[] | undefined): Record<string, string> | undefined {
  if (pairs === undefined || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z]+)=(\S+)$/.exec(pair);
    if (!m) throw new UsageError(`--param ${pair}: write name=value, e.g. objectionShare=1/5`);
    out[m[1]] = m[2];
  }
  return out;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const HELP = `
Examples:
  archipel circle create "Garden" --regime do-ocracy --param objectionShare=1/5
  archipel circle create "Tools" --parent <circle>
  archipel circle list
  archipel circle tree
  archipel circle show <circle>
  archipel circle members <circle>
  archipel circle forks <circle>         (where it was forked to, SPEC §7)
  archipel circle invite <circle> <member>
  archipel circle join <circle>          (accept an invitation)
  archipel circle leave <circle>
`;

/** Joining and leaving: a statement with an empty body in the circle, then what was done. */
const MEMBERSHIP_COMMANDS = [
  { name: 'join', description: 'Accept an invitation to a circle.', type: 'member.accept', done: 'circle.joined' },
  { name: 'leave', description: 'Leave a circle (the delegations you gave in it lapse).', type: 'member.leave', done: 'circle.left' },
] as const;

export function circleCommand(ctx: CliContext): Command {
  const circle = new Command('circle').description('Circles: create, look around, invite, join, leave.').addHelpText('after', HELP);

  /** A subcommand on one `<circle>`, given as an id. */
  const onCircleId = (name: string, description: string, run: (cmd: Command, a: Acting, id: string) => Promise<void>): void => {
    circle
      .command(name)
      .description(description)
      .argument('<circle>')
      .action(async (id: string, _opts: unknown, cmd: Command) => run(cmd, ctx.acting(cmd), id));
  };
  /** A subcommand that reads one `<circle>`: `run` gets the circle as the API shows it. */
  const onCircle = (name: string, description: string, run: (cmd: Command, a: Acting, c: CircleView) => Promise<void>): void =>
    onCircleId(name, description, async (cmd, a, id) => run(cmd, a, await circleView(a, id)));

  circle
    .command('create')
    .description('Create a circle (you are its first member).')
    .argument('<name>')
    .option('--parent <circle>', 'the parent circle (you must be a member of it)')
    .option('--regime <regime>', 'unanimity, do-ocracy, amendment or split', 'amendment')
    .option('--param <name=value>', 'a regime parameter (repeatable)', collect)
    .action(async (name: string, opts: { parent?: string; regime: string; param?: string[] }, cmd: Command) => {
      const a = ctx.acting(cmd);
      const params = paramsFrom(opts.param);
      const body = { name, regime: opts.regime, ...(opts.parent ? { parent: opts.parent } : {}), ...(params ? { params } : {}) } as BodyOf<'circle.create'>;
      const appended = await a.api.post(a.signer.sign('circle.create', null, body));
      ctx.print(cmd, { circle: appended.id, seq: appended.seq, leaf: appended.leaf }, ctx.t(cmd)('circle.created', { name, circle: appended.id as string }));
    });

  circle
    .command('list')
    .description('The circles you are a member of, and invitations waiting for you.')
    .action(async (_opts: unknown, cmd: Command) => {
      const a = ctx.acting(cmd);
      const { t } = a;
      const m = encodeURIComponent(a.profile.member);
      const [mine, invitations] = await Promise.all([
        a.api.get<{ items: CircleItem[] }>(`/api/v1/members/${m}/circles`),
        a.api.get<{ items: { circle: string; circleName: string; invitedBy: string }[] }>(`/api/v1/members/${m}/invitations`),
      ]);
      const names = await memberNames(a.api, invitations.items.map((i) => i.invitedBy));
      ctx.print(cmd, { circles: mine.items, invitations: invitations.items }, () => {
        let out = mine.items.length === 0 ? `${t('circles.none')}\n` : columns([['CIRCLE', 'NAME', 'REGIME', 'SIZE'], ...mine.items.map((c) => [c.id, c.name, c.regime, String(c.size)])]);
        if (invitations.items.length > 0) {
          out += `\n${t('invitations')}\n` + columns(invitations.items.map((i) => [`  ${i.circle}`, i.circleName, `(${names(i.invitedBy)})`]));
        }
        return out;
      });
    });

  onCircle('show', "A circle's state: regime, parameters, members, children, log size, and whether witnesses cosigned its checkpoint.", async (cmd, a, c) => {
    const t = ctx.t(cmd);
    const cosigned = await cosignedCheckpoint(a, c.id);
    const row = (label: string, value: string): string => `  ${t(label).padEnd(11)}${value}`;
    const witnesses = (w: CosignedView): string =>
      t(w.size === c.size ? 'cosigned.by' : 'cosigned.byOlder', { n: w.witnesses.length, names: w.witnesses.join(', '), size: w.size, total: c.size });
    ctx.print(cmd, { ...c, cosigned }, () =>
      [
        `${c.name} (${c.id})`,
        row('label.parent', c.parent ?? '-'),
        row('label.regime', `${c.regime} (${formatParams(c.params)})`),
        row('label.members', String(c.members.length)),
        row('label.children', c.children.length === 0 ? '-' : c.children.join(', ')),
        row('label.log', t('label.entries', { n: c.size })),
        row('label.witnesses', cosigned === null ? t('cosigned.none') : witnesses(cosigned)),
        ...(c.forkedFrom ? [`  ${t('label.forked', { circle: c.forkedFrom.circle, seq: c.forkedFrom.atSeq })}`] : []),
      ].join('\n'),
    );
  });

  circle
    .command('tree')
    .description('The circles of the instance, as a tree.')
    .action(async (_opts: unknown, cmd: Command) => {
      const a = ctx.acting(cmd);
      const all = (await a.api.get<{ items: CircleItem[] }>('/api/v1/circles')).items;
      const byId = new Map(all.map((c) => [c.id, c]));
      ctx.print(cmd, { items: all }, () => {
        const lines: string[] = [];
        const walk = (c: CircleItem, prefix: string, last: boolean, root: boolean): void => {
          lines.push(`${root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`}${c.name} (${c.id}, ${c.regime}, ${c.size} entries)`);
          const kids = (c.children ?? []).map((k) => byId.get(k)).filter((k): k is CircleItem => k !== undefined);
          kids.forEach((k, i) => walk(k, root ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false));
        };
        for (const r of all.filter((c) => c.parent === null)) walk(r, '', true, true);
        return lines.join('\n');
      });
    });

  onCircle('members', "A circle's current members, with their names.", async (cmd, a, c) => {
    const names = await memberNames(a.api, c.members);
    const items = c.members.map((m) => ({ id: m, name: names(m) }));
    ctx.print(cmd, { circle: c.id, items }, () => columns([['MEMBER', 'NAME'], ...items.map((m) => [m.id, m.name + (m.id === a.profile.member ? ` ${ctx.t(cmd)('label.you')}` : '')])]));
  });

  onCircle('forks', 'Where a circle was forked to (SPEC §7): each new circle, the proposal that split it off, and who went.', async (cmd, a, c) => {
    const t = ctx.t(cmd);
    const forks = (await a.api.get<{ items: ForkView[] }>(`/api/v1/circles/${encodeURIComponent(c.id)}/forks`)).items;
    const [names, titles] = await Promise.all([
      memberNames(a.api, forks.flatMap((f) => f.members)),
      Promise.all(forks.map((f) => a.api.get<{ title: string }>(`/api/v1/proposals/${encodeURIComponent(f.proposal)}`).then((p) => p.title, () => null))),
    ]);
    const items = forks.map((f, i) => ({ ...f, title: titles[i], you: f.members.includes(a.profile.member) }));
    const who = (m: string): string => `${names(m)}${m === a.profile.member ? ` ${t('label.you')}` : ''}`;
    ctx.print(cmd, { circle: c.id, name: c.name, items }, () =>
      items.length === 0
        ? t('forks.none', { circle: `${c.name} (${c.id})` })
        : [
            t('forks.title', { circle: `${c.name} (${c.id})`, n: items.length }),
            ...items.flatMap((f) => [
              `  ${f.name} (${f.circle})`,
              `    ${t('forks.at', { seq: f.atSeq, proposal: f.proposal })}${f.title === null ? '' : ` "${f.title}"`}`,
              `    ${t('label.members')}: ${f.members.map(who).join(', ')}`,
            ]),
          ].join('\n'),
    );
  });

  circle
    .command('invite')
    .description('Invite a registered member (she then runs `archipel circle join`).')
    .argument('<circle>')
    .argument('<member>', 'her member id')
    .action(async (id: string, member: string, _opts: unknown, cmd: Command) => {
      const a = ctx.acting(cmd);
      const appended = await a.api.post(a.signer.sign('member.invite', id, { member }));
      ctx.print(cmd, appended, ctx.t(cmd)('circle.invited', { member, circle: id }));
    });

  for (const { name, description, type, done } of MEMBERSHIP_COMMANDS) {
    onCircleId(name, description, async (cmd, a, id) => {
      const appended = await a.api.post(a.signer.sign(type, id, {}));
      ctx.print(cmd, appended, a.t(done, { circle: id }));
    });
  }

  for (const sub of circle.commands) sub.addHelpText('after', HELP);
  return circle;
}
