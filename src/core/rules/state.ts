// The state a statement is decided against, and the effects an accepted statement has on it.
// One interface, two implementations: the server loads the slice a batch needs from its tables
// (statements/batch-state.ts); the offline verifier replays whole logs in memory. The rules in
// */domain/*-rules.ts are written once against this interface.
import type { Ed25519PublicJwk } from '../formats/keys';
import type { BodyOf, CircleOf, Params as CircleParams, SystemStatementType } from '../formats/statement-types';
import type { Params, RegimeName } from '../governance/params';
import type { ProposalKind } from '../governance/tally';
import type { KeyRecord, KeyView } from './key-records';

export const REGISTRY = 'registry';

export interface CircleState {
  id: string;
  name: string;
  /** A circle id, or a qualified id when the parent is on another instance (SPEC §12.2). */
  parent: string | null;
  regime: string;
  params: CircleParams;
}

export interface MemberState {
  id: string;
  name: string;
  jwk: Ed25519PublicJwk;
}

/** What deciding a vote or a delegation needs to know of a proposal. */
export interface ProposalState {
  id: string;
  circle: string;
  kind: ProposalKind;
  regime: RegimeName;
  /** Frozen at opening: all seven names. */
  params: Params;
  topic: string | null;
  openedSeq: number;
  openedAt: number;
  closesAt: number;
  amendmentsCloseAt: number | null;
  closed: boolean;
  /** The kind-specific members of the opening body (target/find/replace, regime/params, member, name, doer, ratify…). */
  body: Record<string, unknown>;
  /** The text as opened (a motion's amendments are applied at its tally). */
  text: string;
}

export interface OpenedProposal extends ProposalState {
  title: string;
  openedBy: string;
}

export type ScopeKind = 'circle' | 'topic' | 'proposal';
export interface Scope {
  kind: ScopeKind;
  /** '' for the circle scope. */
  value: string;
}

export function scopeOf(scope: { circle?: true; topic?: string; proposal?: string }): Scope {
  if (scope.proposal !== undefined) return { kind: 'proposal', value: scope.proposal };
  if (scope.topic !== undefined) return { kind: 'topic', value: scope.topic };
  return { kind: 'circle', value: '' };
}

export const scopeKey = (s: Scope) => `${s.kind}:${s.value}`;

export interface StateView extends KeyView {
  member(id: string): MemberState | undefined;
  circle(id: string): CircleState | undefined;
  isMember(circle: string, member: string): boolean;
  hasPendingInvitation(circle: string, member: string): boolean;
  proposal(id: string): ProposalState | undefined;
  /** A member of the circle just before the proposal's opening entry (SPEC §5.1). */
  isEligible(proposal: string, member: string): boolean;
  hasVote(proposal: string, member: string): boolean;
  /** The delegate of `member`'s current delegation in that scope. */
  delegation(circle: string, member: string, scope: Scope): string | undefined;
  /** Whether `ancestor`'s log already holds the receipt of this decision (SPEC §8). */
  hasReceipt(ancestor: string, child: string, proposal: string): boolean;
}

/** Instance settings the rules depend on. */
export interface Policy {
  /** Minimum time between a proposal's reception and its `closesAt` (SPEC §3.8). */
  minProposalWindowMs: number;
}

/** A change to the projected state, applied in the transaction that appends its entry. */
export type Effect =
  | { kind: 'member.registered'; member: MemberState }
  /** SPEC §11: a key of `key.member` from this entry on (her registration key, an added key, a recovery key). */
  | { kind: 'key.added'; key: KeyRecord }
  /** SPEC §11: from this entry on, `kid` signs nothing (revoked, or a recovery key replaced). */
  | { kind: 'key.revoked'; kid: string; member: string; at: number }
  | { kind: 'circle.created'; circle: CircleState; genesisLeaf: string | null; forkedFrom?: string; forkCause?: string }
  | { kind: 'member.invited'; circle: string; member: string; by: string }
  | { kind: 'member.joined'; circle: string; member: string }
  | { kind: 'member.left'; circle: string; member: string }
  | { kind: 'proposal.opened'; proposal: OpenedProposal }
  | { kind: 'vote.set'; proposal: string; member: string; choice: string | null; reason: string | null; at: number }
  | { kind: 'delegation.set'; circle: string; member: string; scope: Scope; delegate: string; at: number }
  | { kind: 'delegation.ended'; circle: string; member: string; scope: Scope; at: number }
  /** Delegations in `circle` to any of `delegates` lapse (they left in a fork). */
  | { kind: 'delegations.to.lapsed'; circle: string; delegates: string[]; at: number }
  /** Everything `member` delegated in `circle` lapses (she left or was removed). */
  | { kind: 'delegations.lapsed'; circle: string; member: string; at: number }
  | { kind: 'proposal.closed'; proposal: string; result: BodyOf<'tally.result'> }
  | { kind: 'circle.regime'; circle: string; regime: string; params: CircleParams }
  /** SPEC §12.2: `child`, a circle on another instance (qualified id), is a child of `parent`. */
  | { kind: 'remote.child.recorded'; parent: string; child: string }
  | { kind: 'receipt.recorded'; ancestor: string; child: string; proposal: string; childSeq: number }
  | { kind: 'position.set'; circle: string; member: string; position: string };

/** A system statement the instance appends as a consequence, once the cause has its leaf. */
export interface FollowUp {
  circle: string;
  draft: (causeLeaf: string) => SystemDraft;
  /** What the follow-up changes in its own log's state. */
  effects?: Effect[];
}

/**
 * A system statement before the instance signs it (SPEC §3.3): the writer signs every one with the
 * instance key, `at` its own clock. `carried`: the delegations a fork's genesis carries over.
 */
export type SystemDraft = {
  [T in SystemStatementType]: { type: T; circle: CircleOf<T>; body: BodyOf<T>; carried?: CarriedDelegation[] };
}[SystemStatementType];

/** A delegation carried into a fork's new circle, resolved from its entry in the original log. */
export interface CarriedDelegation {
  leaf: string;
  member: string;
  scope: Scope;
  delegate: string;
}

/** Work for the queues, recorded in the outbox with the entry that calls for it. */
export type JobRequest =
  | { kind: 'close-proposal'; proposal: string; at: number }
  /** Carry the decision at `circle`#`seq` to `ancestor`; seq -1: the entry being appended. */
  | { kind: 'propagate'; circle: string; seq: number; ancestor: string }
  | { kind: 'recompute-cursor'; circle: string }
  | { kind: 'fork'; circle: string; proposal: string }
  /** SPEC §12.2: send a new circle's signed genesis to its parent's instance (another one). */
  | { kind: 'announce-child'; circle: string };

export interface Decision {
  effects: Effect[];
  followUps: FollowUp[];
  jobs?: JobRequest[];
}

/** An effect as the writer hands it to the projections: with the entry that caused it. */
export interface PlacedEffect {
  effect: Effect;
  /** The entry that caused it. */
  circle: string;
  seq: number;
}
