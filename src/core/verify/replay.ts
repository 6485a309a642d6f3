// SPEC §5: replaying a circle's log offline. Every statement is decided again by the same rules
// the server ran (core/rules/decide.ts) against state rebuilt from the log alone, and every
// `tally.result` is recomputed from the state at its proposal's close (core/governance/tally.ts)
// and compared figure by figure, and every `regime.changed` from the positions, members and
// circle-scoped delegations just before it (core/governance/cursor.ts), and every `circle.split`
// from the direct votes of its cause (SPEC §5.3, §5.4, §7). Pure: the offline verifier feeds it
// entries in order. It is the reference the server's SQL paths are tested against
// (test/e2e/differential-replay.spec.ts) and the code the golden scenarios run through.
import { decodeBase64url } from '../crypto/crypto';
import { DomainError } from '../rules/domain-error';
import type { Ed25519PublicJwk } from '../formats/keys';
import { parseStatementHeader, type StatementHeader } from '../formats/statement';
import type { BodyOf, StatementPayload } from '../formats/statement-types';
import { parseTimestamp } from '../formats/canonical-json';
import { tallyProposal, TallyResultBody, TallySnapshot } from '../governance/tally';
import { compareIds } from '../governance/resolve';
import { isRegimeName, type RegimeName } from '../governance/params';
import { applyAmendments } from '../governance/amendments';
import { regimeChange, regimeCursor } from '../governance/cursor';
import { BatchState } from '../rules/batch-state';
import { decide, StatementContext } from '../rules/decide';
import type { CarriedDelegation, Effect, MemberState, ProposalState, Scope } from '../rules/state';

export interface ReplayEntry {
  seq: number;
  recordedAt: string;
  jws: string;
  payload: StatementPayload;
  /** the member the signing key belongs to (SPEC §11); the instance kid for system statements */
  signer: string;
  /** the signing key, when not the member's registration key */
  kid?: string;
  jwk?: Ed25519PublicJwk;
}

/**
 * Decodes entry lines for the replay without checking them again: for lines the log verifier
 * checks in full in the same pass (format, canonical forms, signatures, chain). A line it would
 * refuse may throw here; the verifier's verdict on that line comes first (cli/archipel.ts).
 */
export class ReplayDecoder {
  private readonly text = new TextDecoder('utf-8');
  /** Protected headers repeat once per signer: parsed once each. */
  private readonly headers = new Map<string, StatementHeader>();

  /** `memberOf`: the member a key signs for (SPEC §11), from the verified registry. */
  constructor(private readonly memberOf: (kid: string) => string = (kid) => kid) {}

  entry(line: Uint8Array): ReplayEntry {
    const e = JSON.parse(this.text.decode(line)) as { seq: number; recordedAt: string; jws: string };
    const dot1 = e.jws.indexOf('.');
    const dot2 = e.jws.indexOf('.', dot1 + 1);
    const h64 = e.jws.slice(0, dot1);
    let header = this.headers.get(h64);
    if (!header) this.headers.set(h64, (header = parseStatementHeader(h64)));
    const payload = JSON.parse(this.text.decode(decodeBase64url(e.jws.slice(dot1 + 1, dot2)) ?? new Uint8Array())) as StatementPayload;
    const signer = header.typ === 'archipel-statement' ? this.memberOf(header.kid) : header.kid;
    return { seq: e.seq, recordedAt: e.recordedAt, jws: e.jws, payload, signer, jwk: header.jwk, ...(signer !== header.kid ? { kid: header.kid } : {}) };
  }
}

export class ReplayFailure extends Error {
  constructor(
    readonly seq: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Tracked {
  proposal: ProposalState;
  outcome?: string;
  /** The circle's members at opening: a shared snapshot, sorted only if the proposal closes. */
  eligible: ReadonlySet<string>;
  votes: Map<string, string>;
  snapshot?: TallySnapshot;
  /** For a proposal tallied `forked`: the delegations in force at its tally entry (SPEC §7). */
  forkBase?: { atSeq: number; delegations: InForce[] };
}

/** The seq of each circle- and topic-scoped delegation's entry, for the ones a fork carries. */
type Scoped = { circle?: string; topics: Map<string, string>; proposals: Map<string, string>; circleSeq?: number; topicSeqs: Map<string, number> };

/** A delegation in force, with the seq of the `delegation.set` entry that set it. */
export interface InForce {
  member: string;
  scope: Scope;
  delegate: string;
  seq: number;
}

export class LogReplay {
  /** Members of other logs (the registry) and circles outside this log are taken as given. */
  private readonly state = new BatchState({ members: [], circles: [], memberships: [], invitations: [] });
  /** Replaced, never mutated, when membership changes: proposals keep cheap snapshots. */
  private members: ReadonlySet<string> = new Set<string>();
  private readonly proposals = new Map<string, Tracked>();
  /** Proposals waiting for their close, earliest closesAt first (a binary heap). */
  private readonly closing: Tracked[] = [];
  private readonly delegations = new Map<string, Scoped>();
  /** Each member's latest regime.position in this circle (kept when she leaves, as the server does). */
  private readonly positions = new Map<string, RegimeName>();
  /** The seq of the entry being replayed (its effects are applied under it). */
  private seq = -1;
  tallies = 0;
  regimeChanges = 0;
  forks = 0;

  constructor(
    readonly circle: string,
    registry: Iterable<MemberState> = [],
    /** For a fork's log: the delegations its genesis carries, resolved from the original's log. */
    private readonly fork: { carried?: CarriedDelegation[] } = {},
  ) {
    for (const member of registry) this.state.apply({ kind: 'member.registered', member });
  }

  /** Decide one entry again, apply its effects, and check it if it is a tally. Throws ReplayFailure. */
  push(entry: ReplayEntry): void {
    const recordedAt = parseTimestamp(entry.recordedAt) as number;
    this.snapshotDue(recordedAt);
    const p = entry.payload;
    if (p.type === 'circle.create' && p.body.parent) {
      // The parent's log vouches for the creator's membership there; this log cannot.
      this.state.apply({ kind: 'circle.created', circle: { id: p.body.parent, name: '', parent: null, regime: 'unanimity', params: {} }, genesisLeaf: null });
      this.state.apply({ kind: 'member.joined', circle: p.body.parent, member: entry.signer });
    }
    if (p.type === 'circle.forked') {
      // The original's log vouches for the leavers' membership there (checked by the verifier).
      this.state.apply({ kind: 'circle.created', circle: { id: p.body.from, name: '', parent: null, regime: p.body.regime, params: p.body.params }, genesisLeaf: null });
      for (const member of p.body.members) this.state.apply({ kind: 'member.joined', circle: p.body.from, member });
    }
    if (p.type === 'tally.result') this.checkTally(entry.seq, p.body);
    if (p.type === 'regime.changed') this.checkRegimeChange(entry.seq, p.body);
    if (p.type === 'circle.split') this.checkSplit(entry.seq, p.body);
    this.seq = entry.seq;
    const ctx: StatementContext = { payload: p, signer: entry.signer, kid: entry.kid, jws: entry.jws, jwk: entry.jwk, carried: this.fork.carried };
    let effects: Effect[];
    try {
      // The instance's minimum window is configuration a verifier does not know: not checked here.
      effects = decide(ctx, { recordedAt, receivedAt: recordedAt }, this.state, { minProposalWindowMs: 0 }).effects;
    } catch (error) {
      if (error instanceof DomainError) throw new ReplayFailure(entry.seq, error.code, `${p.type} breaks the rules: ${error.message}`);
      throw error;
    }
    for (const effect of effects) {
      if (effect.kind === 'proposal.opened') effect.proposal.openedSeq = entry.seq;
      this.state.apply(effect);
      this.observe(effect);
    }
  }

  private observe(e: Effect): void {
    switch (e.kind) {
      case 'member.joined':
        if (e.circle === this.circle) this.members = new Set(this.members).add(e.member);
        return;
      case 'member.left':
        if (e.circle === this.circle) {
          const next = new Set(this.members);
          next.delete(e.member);
          this.members = next;
        }
        return;
      case 'proposal.opened': {
        const tracked: Tracked = { proposal: e.proposal, eligible: this.members, votes: new Map() };
        this.proposals.set(e.proposal.id, tracked);
        heapPush(this.closing, tracked);
        return;
      }
      case 'proposal.closed': {
        const tracked = this.proposals.get(e.proposal);
        if (tracked) tracked.outcome = e.result.outcome;
        if (tracked && e.result.outcome === 'forked') tracked.forkBase = { atSeq: this.seq, delegations: this.inForce() };
        return;
      }
      case 'vote.set': {
        const votes = this.proposals.get(e.proposal)?.votes;
        if (e.choice === null) votes?.delete(e.member);
        else votes?.set(e.member, e.choice);
        return;
      }
      case 'delegation.set':
        this.setDelegation(e.member, e.scope, e.delegate);
        return;
      case 'delegation.ended':
        this.setDelegation(e.member, e.scope, undefined);
        return;
      case 'delegations.lapsed':
        if (e.circle === this.circle) this.delegations.delete(e.member);
        return;
      case 'delegations.to.lapsed':
        if (e.circle === this.circle) this.lapseDelegationsTo(new Set(e.delegates));
        return;
      case 'position.set':
        if (e.circle === this.circle && isRegimeName(e.position)) this.positions.set(e.member, e.position);
        return;
      default:
        return;
    }
  }

  private setDelegation(member: string, scope: Scope, delegate: string | undefined): void {
    let d = this.delegations.get(member);
    if (!d) this.delegations.set(member, (d = { topics: new Map(), proposals: new Map(), topicSeqs: new Map() }));
    if (scope.kind === 'circle') {
      d.circle = delegate;
      d.circleSeq = this.seq;
    } else {
      const map = scope.kind === 'topic' ? d.topics : d.proposals;
      if (delegate === undefined) map.delete(scope.value);
      else map.set(scope.value, delegate);
      if (scope.kind === 'topic') d.topicSeqs.set(scope.value, this.seq);
    }
  }

  /** The circle- and topic-scoped delegations in force now, in the order of their entries. */
  private inForce(): InForce[] {
    const out: InForce[] = [];
    for (const [member, d] of this.delegations) {
      if (d.circle !== undefined) out.push({ member, scope: { kind: 'circle', value: '' }, delegate: d.circle, seq: d.circleSeq as number });
      for (const [topic, delegate] of d.topics) out.push({ member, scope: { kind: 'topic', value: topic }, delegate, seq: d.topicSeqs.get(topic) as number });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** SPEC §7: in a fork, delegations to those who left lapse, in every scope. */
  private lapseDelegationsTo(gone: ReadonlySet<string>): void {
    for (const d of this.delegations.values()) {
      if (d.circle !== undefined && gone.has(d.circle)) d.circle = undefined;
      for (const map of [d.topics, d.proposals]) for (const [key, to] of map) if (gone.has(to)) map.delete(key);
    }
  }

  /** SPEC §6: the cursor recomputed from the state just before the entry gives exactly its body. */
  private checkRegimeChange(seq: number, body: BodyOf<'regime.changed'>): void {
    const circle = this.state.circle(this.circle);
    if (!circle || !isRegimeName(circle.regime)) throw new ReplayFailure(seq, 'REGIME_MISMATCH', `regime.changed in a circle whose regime is not known here`);
    const circleDelegations = new Map<string, string>();
    for (const [member, d] of this.delegations) if (d.circle !== undefined) circleDelegations.set(member, d.circle);
    const result = regimeCursor({ members: [...this.members].sort(), positions: this.positions, delegations: circleDelegations, params: circle.params as never });
    const expected = regimeChange(circle.regime, result);
    if (!expected) {
      throw new ReplayFailure(seq, 'REGIME_MISMATCH', `regime.changed to ${body.to}, but the cursor recomputed here stays at ${circle.regime} (median ${result.regime ?? 'none'}, ${result.cast} of ${result.E} cast)`);
    }
    const differs = firstDifference(expected, body);
    if (differs) throw new ReplayFailure(seq, 'REGIME_MISMATCH', `regime.changed: ${differs.figure} is ${JSON.stringify(differs.actual)}, recomputed ${JSON.stringify(differs.expected)}`);
    this.regimeChanges++;
  }

  /** SPEC §5.1: the state at close is given by the entries recorded strictly before closesAt. */
  private snapshotDue(recordedAt: number): void {
    while (this.closing.length && this.closing[0].proposal.closesAt <= recordedAt) {
      const t = heapPop(this.closing);
      const { proposal: p } = t;
      const eligible = [...t.eligible].sort();
      const delegations = new Map<string, { proposal?: string; topic?: string; circle?: string }>();
      for (const member of eligible) {
        const d = this.delegations.get(member);
        if (!d) continue;
        const scoped = {
          ...(d.proposals.has(p.id) ? { proposal: d.proposals.get(p.id) } : {}),
          ...(p.topic !== null && d.topics.has(p.topic) ? { topic: d.topics.get(p.topic) } : {}),
          ...(d.circle !== undefined ? { circle: d.circle } : {}),
        };
        if (Object.keys(scoped).length) delegations.set(member, scoped);
      }
      t.snapshot = { proposal: p.id, kind: p.kind, regime: p.regime, params: p.params, topic: p.topic, eligible, votes: new Map(t.votes), delegations };
    }
  }

  /**
   * SPEC §5.3, §5.4, §7: who leaves in the fork `proposal` caused, if it were executed now — the
   * members who chose `leave` (a `split` proposal) or voted `yes` (a split-regime motion)
   * themselves, in the state at close, and are members still; sorted by id. Undefined unless the
   * proposal was tallied `forked` in this log.
   */
  forkMembers(proposal: string): string[] | undefined {
    const t = this.proposals.get(proposal);
    if (!t?.snapshot || t.outcome !== 'forked') return undefined;
    const leaving = t.proposal.kind === 'split' ? 'leave' : 'yes';
    const out: string[] = [];
    for (const [member, choice] of t.snapshot.votes) if (choice === leaving && this.members.has(member)) out.push(member);
    return out.sort(compareIds);
  }

  /**
   * SPEC §7: the delegations a fork of `proposal` with these leavers carries over — those in force
   * at its tally entry (the last shared one) between two leavers, circle- or topic-scoped (a
   * proposal-scoped one names a proposal of the original), in the order of their entries.
   */
  carriedDelegations(proposal: string, leavers: readonly string[]): { atSeq: number; delegations: InForce[] } | undefined {
    const base = this.proposals.get(proposal)?.forkBase;
    if (!base) return undefined;
    const inside = new Set(leavers);
    return { atSeq: base.atSeq, delegations: base.delegations.filter((d) => inside.has(d.member) && inside.has(d.delegate)) };
  }

  /** The `tally.result` body recomputed for a proposal past its close (see advance), or undefined. */
  recomputed(proposal: string): TallyResultBody | undefined {
    const t = this.proposals.get(proposal);
    if (!t?.snapshot) return undefined;
    const voided = this.voidAmendments(t.proposal);
    return tallyProposal({ ...t.snapshot, ...(voided.length ? { void: voided } : {}) });
  }

  /** A proposal of this log as opened. */
  proposalState(proposal: string): ProposalState | undefined {
    return this.proposals.get(proposal)?.proposal;
  }

  /** Takes the state at close of every proposal whose closesAt is at or before `time` (ms). */
  advance(time: number): void {
    this.snapshotDue(time);
  }

  private checkSplit(seq: number, body: BodyOf<'circle.split'>): void {
    const expected = this.forkMembers(body.cause);
    if (!expected) throw new ReplayFailure(seq, 'FORK_MISMATCH', `circle.split caused by ${body.cause}, which is not tallied forked in this log`);
    // SPEC §7 sets who leaves, not in which order they are listed.
    const differs = firstDifference(expected, [...body.members].sort(compareIds));
    if (differs) throw new ReplayFailure(seq, 'FORK_MISMATCH', `circle.split of ${body.cause}: members are ${JSON.stringify(body.members)}, recomputed ${JSON.stringify(expected)}`);
    this.forks++;
  }

  private voidAmendments(motion: ProposalState): string[] {
    return voidOf(motion, [...this.proposals.values()]);
  }

  private checkTally(seq: number, body: BodyOf<'tally.result'>): void {
    const tracked = this.proposals.get(body.proposal);
    if (!tracked?.snapshot) throw new ReplayFailure(seq, 'TALLY_UNEXPECTED', `tally.result for proposal ${body.proposal}, which is not past its close in this log`);
    const expected = this.recomputed(body.proposal) as TallyResultBody;
    const differs = firstDifference(expected, body as unknown as TallyResultBody);
    if (differs) {
      throw new ReplayFailure(seq, 'TALLY_MISMATCH', `tally of proposal ${body.proposal}: ${differs.figure} is ${JSON.stringify(differs.actual)}, recomputed ${JSON.stringify(differs.expected)}`);
    }
    this.tallies++;
  }
}

function heapPush(heap: Tracked[], t: Tracked): void {
  heap.push(t);
  for (let i = heap.length - 1; i > 0; ) {
    const parent = (i - 1) >> 1;
    if (heap[parent].proposal.closesAt <= heap[i].proposal.closesAt) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function heapPop(heap: Tracked[]): Tracked {
  const top = heap[0];
  const last = heap.pop() as Tracked;
  if (heap.length) {
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l].proposal.closesAt < heap[m].proposal.closesAt) m = l;
      if (r < heap.length && heap[r].proposal.closesAt < heap[m].proposal.closesAt) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  }
  return top;
}

/** SPEC §5.3: the adopted amendments of an amendment-regime motion that no longer apply. */
function voidOf(motion: ProposalState, amendments: Tracked[]): string[] {
  if (motion.kind !== 'motion' || motion.regime !== 'amendment') return [];
  const adopted = amendments
    .filter((a) => a.proposal.kind === 'amendment' && a.proposal.body.target === motion.id && a.outcome === 'adopted')
    .sort((a, b) => a.proposal.openedSeq - b.proposal.openedSeq)
    .map((a) => ({ id: a.proposal.id, find: a.proposal.body.find as string, replace: a.proposal.body.replace as string }));
  return applyAmendments(motion.text, adopted).void;
}

/** The first figure (dotted path) where a recorded tally differs from the recomputed one. */
export function firstDifference(expected: unknown, actual: unknown, path = ''): { figure: string; expected: unknown; actual: unknown } | null {
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    return JSON.stringify(expected) === JSON.stringify(actual) ? null : { figure: path || 'body', expected, actual };
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of [...keys].sort()) {
    const d = firstDifference((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (d) return d;
  }
  return null;
}
