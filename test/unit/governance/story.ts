// Helpers for the golden scenarios: build a tally snapshot from plain objects.
import type { ScopedDelegation } from '../../../src/delegations/domain/resolve';
import { freezeParams, type Params, type RegimeName } from '../../../src/proposals/domain/params';
import type { ProposalKind, TallySnapshot } from '../../../src/proposals/domain/tally';

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
