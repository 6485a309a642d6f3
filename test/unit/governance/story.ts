// Helpers for the golden scenarios: build a tally snapshot from plain objects.
import type { ScopedDelegation } from '../../../src/core/governance/resolve';
import { freezeParams, type Params, type RegimeName } from '../../../src/core/governance/params';
import type { ProposalKind, TallySnapshot } from '../../../src/core/governance/tally';
import type { ProposalState, StateView } from '../../../src/core/rules/state';

export interface Story {
  proposal?: string;
  kind?: ProposalKind;
  regime: RegimeName;
  params?: Partial<Params>;
  topic?: string | null;
  eligible: string[];
  votes?: Record<string, string> | Map<string, string>;
  delegations?: Record<string, ScopedDelegation> | Map<string, ScopedDelegation>;
  void?: string[];
}

const asMap = <T>(x: Record<string, T> | Map<string, T> | undefined): Map<string, T> =>
  x instanceof Map ? x : new Map(Object.entries(x ?? {}));

export function snapshot(story: Story): TallySnapshot {
  return {
    proposal: story.proposal ?? 'p1',
    kind: story.kind ?? 'motion',
    regime: story.regime,
    params: freezeParams(story.params ?? {}),
    topic: story.topic ?? null,
    eligible: story.eligible,
    votes: asMap(story.votes),
    delegations: asMap(story.delegations),
    ...(story.void ? { void: story.void } : {}),
  };
}

/** The default parameters as frozen into every proposal of a circle that overrides none. */
export const DEFAULTS: Params = freezeParams({});

/** A StateView over plain sets, for the rules that decide votes (no database: pure domain). */
export function stateOf(world: {
  circle: string;
  members: string[];
  proposal: ProposalState;
  /** Members just before the proposal's opening entry (SPEC §5.1). */
  eligible: string[];
}): StateView {
  const members = new Set(world.members);
  const eligible = new Set(world.eligible);
  return {
    member: () => undefined,
    circle: (id) => (id === world.circle ? { id, name: id, parent: null, regime: world.proposal.regime, params: {} } : undefined),
    isMember: (circle, member) => circle === world.circle && members.has(member),
    hasPendingInvitation: () => false,
    proposal: (id) => (id === world.proposal.id ? world.proposal : undefined),
    isEligible: (proposal, member) => proposal === world.proposal.id && eligible.has(member),
    hasVote: () => false,
    delegation: () => undefined,
    hasReceipt: () => false,
    key: () => undefined,
    keysOf: () => [],
  };
}

/** An open motion p1 of circle c1 under unanimity, one hour long, closing at `closesAt`. */
export function openMotion(closesAt: number, overrides: Partial<ProposalState> = {}): ProposalState {
  return {
    id: 'p1',
    circle: 'c1',
    kind: 'motion',
    regime: 'unanimity',
    params: freezeParams({}),
    topic: null,
    openedSeq: 3,
    openedAt: closesAt - 3_600_000,
    closesAt,
    amendmentsCloseAt: null,
    closed: false,
    body: {},
    text: 'A motion',
    ...overrides,
  };
}
