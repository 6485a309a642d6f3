// The golden scenarios run through the log replay (src/core/verify/replay.ts, the code `archipel
// verify` runs): a story is written as signed statements of named members, appended one by one to
// a LogReplay, which decides each again by the rules; the tally asserted on is the one the replay
// recomputes at the proposal's close. Member names stand for real member ids, given in the same
// order (plain string order) so that cycles and fork members sort as their names do.
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import type { BodyOf, StatementType } from '../../../src/core/formats/statement-types';
import { formatTimestamp } from '../../../src/core/formats/canonical-json';
import { derivedId } from '../../../src/core/formats/ids';
import { compareIds } from '../../../src/core/governance/resolve';
import { freezeParams, paramRatio, type Params, type RegimeName } from '../../../src/core/governance/params';
import { amendmentsCloseAt } from '../../../src/core/governance/amendments';
import type { TallyResultBody, TallySnapshot } from '../../../src/core/governance/tally';
import type { ProposalKind } from '../../../src/core/formats/vocabulary';
import { LogReplay, ReplayDecoder } from '../../../src/core/verify/replay';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
/** Every proposal of a story closes a day after the story starts, unless told otherwise. */
export const CLOSES = T0 + 86_400_000;

export type StoryScope = { circle: true } | { topic: string } | { proposal: string };

export interface OpenOptions {
  kind?: ProposalKind;
  title?: string;
  text?: string;
  topic?: string | null;
  closesAt?: number;
  /** kind-specific members of the body (`target` names a proposal label) */
  target?: string;
  find?: string;
  replace?: string;
  name?: string;
  regime?: RegimeName;
  params?: Partial<Record<keyof Params, string>>;
}

/**
 * A circle whose log is replayed as the story is told. `members` are registered; the first creates
 * the circle under `regime`, the others join (invited by her) unless `join: false`.
 */
export class ReplayedStory {
  readonly replay: LogReplay;
  readonly circle: string;
  private readonly signers = new Map<string, StatementSigner>();
  private readonly names = new Map<string, string>();
  private readonly proposals = new Map<string, string>();
  private readonly labels = new Map<string, string>();
  private readonly decoder = new ReplayDecoder();
  private readonly instance = StatementSigner.generate();
  private seq = 0;
  /** The circle's regime and params as the story goes (for the amending phase of motions). */
  private regime: RegimeName;
  private params: Partial<Record<keyof Params, string>>;
  /** Each proposal's deadline, and the end of its amending phase if it has one. */
  private readonly times = new Map<string, { closesAt: number; amendingEnds: number | null }>();
  private readonly founder: string;
  /** The recordedAt of the next entry (ms); each entry moves it on by a second. */
  now = T0;

  constructor(members: string[], options: { regime: RegimeName; params?: Partial<Record<keyof Params, string>>; join?: string[] } ) {
    const keys = members.map(() => StatementSigner.generate()).sort((a, b) => compareIds(a.id, b.id));
    [...members].sort(compareIds).forEach((name, i) => {
      this.signers.set(name, keys[i]);
      this.names.set(keys[i].id, name);
    });
    const registry = [...this.signers].map(([name, s]) => ({ id: s.id, name, jwk: s.publicJwk }));
    const [founder] = members;
    this.founder = founder;
    this.regime = options.regime;
    this.params = options.params ?? {};
    const genesis = this.signer(founder).sign('circle.create', null, { name: 'Story', regime: options.regime, ...(options.params ? { params: options.params } : {}) } as never, this.stamp());
    this.circle = derivedId(genesis);
    this.replay = new LogReplay(this.circle, registry);
    this.push(genesis);
    for (const name of options.join ?? members.slice(1)) this.join(name);
  }

  private signer(name: string): StatementSigner {
    const s = this.signers.get(name);
    if (!s) throw new Error(`no member ${name} in this story`);
    return s;
  }

  private stamp(): { at: string } {
    return { at: formatTimestamp(this.now) };
  }

  private push(jws: string): string {
    const line = Buffer.from(JSON.stringify({ seq: this.seq, recordedAt: formatTimestamp(this.now), jws }));
    this.replay.push(this.decoder.entry(line));
    this.seq++;
    this.now += 1000;
    return jws;
  }

  /** Appends a member's statement to the circle's log (the replay throws if the rules refuse it). */
  say<T extends StatementType>(name: string, type: T, body: BodyOf<T>): string {
    return this.push(this.signer(name).sign(type, this.circle, body, this.stamp()));
  }

  /** The member id behind a name. */
  id(name: string): string {
    return this.signer(name).id;
  }

  /** The name behind a member id. */
  nameOf(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** The proposal id behind a label. */
  proposal(label: string): string {
    const id = this.proposals.get(label);
    if (!id) throw new Error(`no proposal ${label} in this story`);
    return id;
  }

  /** `name` joins, invited by the founder (or `invitedBy`). */
  join(name: string, invitedBy = this.founder): void {
    this.say(invitedBy, 'member.invite', { member: this.id(name) });
    this.say(name, 'member.accept', {});
  }

  leave(name: string): void {
    this.say(name, 'member.leave', {});
  }

  open(by: string, label: string, o: OpenOptions = {}): string {
    const kind = o.kind ?? 'motion';
    const common = {
      kind,
      title: o.title ?? `Proposal ${label}`,
      text: o.text ?? `The text of ${label}.`,
      ...(o.topic ? { topic: o.topic } : {}),
      closesAt: formatTimestamp(kind === 'amendment' ? (this.times.get(this.proposal(o.target as string))?.amendingEnds as number) : (o.closesAt ?? CLOSES)),
    };
    const openedAt = this.now;
    const extra =
      kind === 'amendment'
        ? { target: this.proposal(o.target as string), find: o.find, replace: o.replace ?? '' }
        : kind === 'split'
          ? { name: o.name ?? 'Elsewhere' }
          : kind === 'regime'
            ? { regime: o.regime, params: o.params ?? {} }
            : {};
    const jws = this.say(by, 'proposal.open', { ...common, ...extra } as never);
    const id = derivedId(jws);
    this.proposals.set(label, id);
    this.labels.set(id, label);
    const closesAt = Date.parse(common.closesAt);
    const amendingEnds =
      kind === 'motion' && this.regime === 'amendment' ? amendmentsCloseAt(openedAt, closesAt, paramRatio(freezeParams(this.params as never), 'amendingShare')) : null;
    this.times.set(id, { closesAt, amendingEnds });
    return id;
  }

  private scope(scope: StoryScope): BodyOf<'delegation.set'>['scope'] {
    return 'proposal' in scope ? { proposal: this.proposal(scope.proposal) } : scope;
  }

  delegate(name: string, to: string, scope: StoryScope = { circle: true }): void {
    this.say(name, 'delegation.set', { to: this.id(to), scope: this.scope(scope) });
  }

  revoke(name: string, scope: StoryScope = { circle: true }): void {
    this.say(name, 'delegation.revoke', { scope: this.scope(scope) });
  }

  /** A vote; on a motion in its amending phase, the clock first moves to its voting phase. */
  vote(name: string, label: string, choice: string): void {
    const ends = this.times.get(this.proposal(label))?.amendingEnds;
    if (ends != null && this.now < ends) this.now = ends;
    this.say(name, 'vote.cast', { proposal: this.proposal(label), choice, ...(choice === 'object' ? { reason: `${name} objects` } : {}) } as never);
  }

  retract(name: string, label: string): void {
    this.say(name, 'vote.retract', { proposal: this.proposal(label) });
  }

  /** Moves the clock of the next entry to `time` (ms). */
  at(time: number): this {
    this.now = time;
    return this;
  }

  /**
   * The tally the replay recomputes for a proposal at its close, with member ids given back as
   * names and the proposal as its label. Appending its `tally.result` (signed by the instance)
   * makes the replay check it too and apply its effects: pass `append: true`.
   */
  tally(label: string, { append = false } = {}): TallyResultBody {
    const id = this.proposal(label);
    const closesAt = this.times.get(id)?.closesAt as number;
    if (this.now < closesAt) this.now = closesAt;
    this.replay.advance(this.now);
    const body = this.replay.recomputed(id);
    if (!body) throw new Error(`proposal ${label} is not past its close`);
    if (append) {
      this.push(this.instance.sign('tally.result', this.circle, body, this.stamp()));
      const opened = this.replay.proposalState(id);
      if (opened?.kind === 'regime' && body.outcome === 'adopted') {
        this.regime = opened.body.regime as RegimeName;
        this.params = { ...this.params, ...(opened.body.params as object) };
      }
    }
    return this.named(body);
  }

  /** Appends the instance's `circle.split` of the fork a proposal caused, with these leavers. */
  split(label: string, leavers: string[]): void {
    const members = leavers.map((n) => this.id(n)).sort(compareIds);
    this.push(this.instance.sign('circle.split', this.circle, { newCircle: 'AAAAAAAAAAAAAAAAAAAAAA', members, cause: this.proposal(label) }, this.stamp()));
  }

  /** Who the replay says leaves in the fork a tallied proposal causes, by name. */
  forkMembers(label: string): string[] | undefined {
    return this.replay.forkMembers(this.proposal(label))?.map((id) => this.nameOf(id));
  }


  private named(body: TallyResultBody): TallyResultBody {
    const out: TallyResultBody = {
      ...body,
      proposal: this.labels.get(body.proposal) ?? body.proposal,
      lost: { weight: body.lost.weight, cycles: body.lost.cycles.map((c) => c.map((id) => this.nameOf(id))) },
    };
    if (body.void) out.void = body.void.map((id) => this.labels.get(id) ?? id);
    return out;
  }
}

/**
 * A state-at-close story (story.ts `snapshot`) told as a log and tallied by the replay: the eligible members
 * join (the first creates the circle under the story's regime and params), the proposal opens,
 * members named only as delegates join after it (so they are not eligible), the delegations are
 * set (proposal-scoped ones on this proposal), the votes cast, and the replay recomputes the tally
 * at close. An `amendment` proposal targets a motion opened just before it.
 */
export function replayStory(story: TallySnapshot): TallyResultBody {
  if (story.void) throw new Error('void amendments come from adopted amendments: tell them as a ReplayedStory');
  const delegations = [...story.delegations];
  const votes = [...story.votes];
  const eligible = new Set(story.eligible);
  const later = new Set<string>();
  for (const [member, d] of delegations) for (const to of [member, d.proposal, d.topic, d.circle]) if (to !== undefined && !eligible.has(to)) later.add(to);
  for (const [member] of votes) if (!eligible.has(member)) later.add(member);
  const s = new ReplayedStory([...story.eligible, ...later], { regime: story.regime, params: story.params as never, join: story.eligible.slice(1) });
  const label = story.proposal ?? 'p1';
  const kind = story.kind ?? 'motion';
  const founder = story.eligible[0];
  if (kind === 'amendment') {
    s.open(founder, 'motion', { text: 'We do this.' });
    s.open(founder, label, { kind, target: 'motion', find: 'this', replace: 'that', topic: story.topic ?? null });
  } else s.open(founder, label, { kind, topic: story.topic ?? null });
  for (const name of later) s.join(name);
  for (const [member, d] of delegations) {
    if (d.circle !== undefined) s.delegate(member, d.circle, { circle: true });
    if (d.topic !== undefined) {
      if (story.topic == null) throw new Error('a topic-scoped delegation in a story without a topic');
      s.delegate(member, d.topic, { topic: story.topic });
    }
    if (d.proposal !== undefined) s.delegate(member, d.proposal, { proposal: label });
  }
  for (const [member, choice] of votes) {
    if (eligible.has(member)) s.vote(member, label, choice);
    // The snapshot ignores the vote of a member who was not eligible: the rules refuse it.
    else expect(() => s.vote(member, label, choice)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
  }
  return s.tally(label);
}
