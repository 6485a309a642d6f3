// SPEC §5.3, §5.4 (and §4 `tally.result`) — turning the state at close into
// an outcome. One implementation for the server, the worker and the offline
// verifier: every threshold is compared with exact integer arithmetic.
import {
  LOST,
  NO_VOTE,
  choiceCodesById,
  effectiveDelegates,
  indexMembers,
  normalizeCycles,
  resolveDelegations,
  scopedTargetsById,
  type ScopedDelegation,
} from './resolve';
import { atLeastScaled, compareScaled, lessThanScaled } from './fraction';
import { PARAM_NAMES, paramRatio, type Params, type RegimeName } from './params';

import type { Outcome, ProposalKind } from '../formats/vocabulary';

export { PROPOSAL_KINDS } from '../formats/vocabulary';
export type { Outcome, ProposalKind } from '../formats/vocabulary';

export interface Totals {
  E: number;
  Y: number;
  N: number;
  A: number;
  O: number;
}

export interface TallyResultBody {
  proposal: string;
  regime: RegimeName;
  params: Params;
  outcome: Outcome;
  totals: Totals;
  lost: { weight: number; cycles: string[][] };
  absent: number;
  /** Amendments void at application (amendment-regime motions only). */
  void?: string[];
}

const YES_NO_ABSTAIN = Object.freeze(['yes', 'no', 'abstain'] as const);
const DO_OCRACY = Object.freeze(['support', 'object', 'abstain'] as const);
const LEAVE_STAY = Object.freeze(['leave', 'stay'] as const);

/** The choices a vote may carry; their order is the choice code order. */
export function choicesFor(kind: ProposalKind, regime: RegimeName): readonly string[] {
  if (kind === 'split') return LEAVE_STAY;
  return regime === 'do-ocracy' ? DO_OCRACY : YES_NO_ABSTAIN;
}

/** Which total a choice counts in. */
const TOTAL_OF: Readonly<Record<string, 'Y' | 'N' | 'A' | 'O'>> = Object.freeze({
  yes: 'Y',
  support: 'Y',
  leave: 'Y',
  no: 'N',
  stay: 'N',
  abstain: 'A',
  object: 'O',
});

// ---------------------------------------------------------------------------
// Outcome rules (§5.3 table), pure over the totals and frozen params.

/** `N = 0`, `Y > 0` and `Y + A ≥ unanimityQuorum·E`. */
export function unanimityOutcome(t: Totals, params: Params): Outcome {
  const q = paramRatio(params, 'unanimityQuorum');
  return t.N === 0 && t.Y > 0 && atLeastScaled(t.Y + t.A, q, t.E) ? 'adopted' : 'rejected';
}

/**
 * `O < objectionShare·E`, and `O = 0` when `objectionShare·E < 1`, read as
 * the conjunction written: with objectionShare·E = 0 nothing is adopted.
 */
export function doOcracyOutcome(t: Totals, params: Params): Outcome {
  const s = paramRatio(params, 'objectionShare');
  const belowShare = lessThanScaled(t.O, s, t.E);
  const smallCircle = compareScaled(1, s, t.E) > 0; // objectionShare·E < 1
  return belowShare && (!smallCircle || t.O === 0) ? 'adopted' : 'rejected';
}

/** `Y > N` and `Y + N + A ≥ quorum·E`; amendments use amendmentQuorum, every other kind majorityQuorum. */
export function amendmentRegimeOutcome(t: Totals, params: Params, kind: ProposalKind): Outcome {
  const q = paramRatio(params, kind === 'amendment' ? 'amendmentQuorum' : 'majorityQuorum');
  return t.Y > t.N && atLeastScaled(t.Y + t.N + t.A, q, t.E) ? 'adopted' : 'rejected';
}

/** Forked iff `Y > 0`, `N > 0` and `min(Y, N) ≥ splitShare·(Y + N)`; else adopted iff `Y > N`. */
export function splitRegimeOutcome(t: Totals, params: Params): Outcome {
  const s = paramRatio(params, 'splitShare');
  if (t.Y > 0 && t.N > 0 && atLeastScaled(Math.min(t.Y, t.N), s, t.Y + t.N)) return 'forked';
  return t.Y > t.N ? 'adopted' : 'rejected';
}

/** An explicit `split` proposal: no threshold, forked as soon as anyone leaves (Y = leave). */
export function splitKindOutcome(t: Totals): Outcome {
  return t.Y > 0 ? 'forked' : 'rejected';
}

export function decideOutcome(kind: ProposalKind, regime: RegimeName, totals: Totals, params: Params): Outcome {
  if (kind === 'split') return splitKindOutcome(totals);
  switch (regime) {
    case 'unanimity':
      return unanimityOutcome(totals, params);
    case 'do-ocracy':
      return doOcracyOutcome(totals, params);
    case 'amendment':
      return amendmentRegimeOutcome(totals, params, kind);
    case 'split':
      return splitRegimeOutcome(totals, params);
  }
}

// ---------------------------------------------------------------------------
// The tally.

export interface TallySnapshot {
  proposal: string;
  kind: ProposalKind;
  regime: RegimeName;
  /** Frozen when the proposal opened: all seven names. */
  params: Params;
  topic: string | null;
  /** Members just before the opening entry; weight 1 each. */
  eligible: readonly string[];
  /** Direct votes at close; those of non-eligible members are ignored. */
  votes: ReadonlyMap<string, string>;
  /**
   * Delegations in force at close, targets as member ids (the replay folds
   * them from the log: core/verify/replay.ts); `topic` is the one for this
   * proposal's topic.
   */
  delegations: ReadonlyMap<string, ScopedDelegation>;
  /** Void amendments of an amendment-regime motion, in opening order. */
  void?: readonly string[];
}

/**
 * Eligible member ids by index. A plain array is one; a bulk loader may instead answer only for
 * the members that can be in a cycle (those with a delegation), since the ids are only read to
 * report cycles.
 */
export interface MemberIds {
  readonly length: number;
  at(index: number): string | undefined;
}

/** The typed arrays of one tally; member i is the i-th eligible member. */
export interface TallyCountInput {
  proposal: string;
  kind: ProposalKind;
  regime: RegimeName;
  params: Params;
  /** Per member: direct vote as an index into choicesFor(kind, regime), or -1. */
  choice: Int8Array;
  /** Per member: effective delegate index or -1 (see effectiveDelegates); ignored for `split` kind. */
  delegate: Int32Array;
  void?: readonly string[];
}

export interface TallyArraysInput extends TallyCountInput {
  /** Eligible member ids by index, distinct (cycles are reported by id). */
  members: MemberIds;
}

/** A tally counted, its cycles still as member indices (see countArrays). */
export interface CountedTally {
  /** The body, with `lost.cycles` empty until withCycleIds fills it. */
  body: TallyResultBody;
  cycles: number[][];
}

/** The full frozen object with the seven names in a fixed order; throws on a missing or bad value. */
function frozenCopy(params: Params): Params {
  const copy = {} as Params;
  for (const name of PARAM_NAMES) {
    if (params[name] === undefined) throw new RangeError(`frozen params lack ${name}`);
    paramRatio(params, name);
    copy[name] = params[name];
  }
  return copy;
}

/**
 * The first half of tallyArrays: resolution, totals and outcome over `choice.length` eligible
 * members, without their ids. A bulk loader that numbers members without reading their ids looks
 * up only the few in `cycles` afterwards, then calls withCycleIds.
 */
export function countArrays(input: TallyCountInput): CountedTally {
  const { kind, regime, choice } = input;
  const params = frozenCopy(input.params);
  const n = choice.length;
  if (input.delegate.length !== n) throw new RangeError('tallyArrays: choice and delegate differ in length');
  const choices = choicesFor(kind, regime);
  for (let i = 0; i < n; i++) {
    if (choice[i] < NO_VOTE || choice[i] >= choices.length) throw new RangeError(`tallyArrays: bad choice code ${choice[i]}`);
  }
  // Exit is a right: a `split` proposal counts direct votes only.
  const delegate = kind === 'split' ? new Int32Array(n).fill(-1) : input.delegate;
  const { resolved, cycles } = resolveDelegations({ choice, delegate });

  const perChoice = new Array<number>(choices.length).fill(0);
  let lost = 0;
  let absent = 0;
  for (let i = 0; i < n; i++) {
    const r = resolved[i];
    if (r >= 0) perChoice[r]++;
    else if (r === LOST) lost++;
    else absent++;
  }
  const totals: Totals = { E: n, Y: 0, N: 0, A: 0, O: 0 };
  choices.forEach((c, k) => (totals[TOTAL_OF[c]] += perChoice[k]));

  const body: TallyResultBody = {
    proposal: input.proposal,
    regime,
    params,
    outcome: decideOutcome(kind, regime, totals, params),
    totals,
    lost: { weight: lost, cycles: [] },
    absent,
  };
  if (input.void !== undefined) body.void = [...input.void];
  return { body, cycles };
}

/** The second half of tallyArrays: the cycles by member id, normalized (SPEC §5.2). */
export function withCycleIds({ body, cycles }: CountedTally, idOf: (index: number) => string | undefined): TallyResultBody {
  const byId = cycles.map((c) =>
    c.map((i) => {
      const id = idOf(i);
      if (id === undefined) throw new RangeError(`tallyArrays: no id for member ${i}, who is in a cycle`);
      return id;
    }),
  );
  return { ...body, lost: { weight: body.lost.weight, cycles: normalizeCycles(byId) } };
}

/** Typed-array entry point for huge circles; same body as tallyProposal. */
export function tallyArrays(input: TallyArraysInput): TallyResultBody {
  if (input.choice.length !== input.members.length) throw new RangeError('tallyArrays: choice and members differ in length');
  return withCycleIds(countArrays(input), (i) => input.members.at(i));
}

/** The `tally.result` body of a proposal from its state at close. */
export function tallyProposal(snapshot: TallySnapshot): TallyResultBody {
  const index = indexMembers(snapshot.eligible);
  const n = snapshot.eligible.length;
  const choice = choiceCodesById(index, snapshot.votes, choicesFor(snapshot.kind, snapshot.regime));
  const targets = scopedTargetsById(index, snapshot.delegations);
  // A topic-scoped delegation can only match a proposal that has a topic.
  const delegate = effectiveDelegates(n, snapshot.topic === null ? { proposal: targets.proposal, circle: targets.circle } : targets);
  return tallyArrays({
    proposal: snapshot.proposal,
    kind: snapshot.kind,
    regime: snapshot.regime,
    params: snapshot.params,
    members: snapshot.eligible,
    choice,
    delegate,
    void: snapshot.void,
  });
}
