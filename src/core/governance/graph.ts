// SPEC §5.2 seen from the delegates: for one proposal, each member's effective delegation and the
// weight each direct voter carries (her own plus all that reaches her), with lost chains and cycles.
// Uses the same effective-delegation and resolution code as the tally.
import { compareIds, effectiveDelegates, indexMembers, NO_DELEGATE, normalizeCycles, resolveDelegations, ScopedDelegation, scopedTargetsById } from './resolve';

export interface DelegationGraphInput {
  eligible: readonly string[];
  /** Members who voted directly (their choice does not matter here). */
  voters: ReadonlySet<string>;
  delegations: ReadonlyMap<string, ScopedDelegation>;
  topic: string | null;
}

export interface DelegationGraph {
  /** Each member's effective delegation for the proposal (direct voters' are ignored: none listed). */
  effective: Array<{ member: string; delegate: string }>;
  /** Direct voters and the weight each carries, heaviest first. */
  weights: Array<{ member: string; weight: number }>;
  lost: number;
  absent: number;
  cycles: string[][];
}

export function delegationGraph(input: DelegationGraphInput): DelegationGraph {
  const { eligible } = input;
  const index = indexMembers(eligible);
  const n = eligible.length;
  const targets = scopedTargetsById(index, input.delegations);
  const delegate = effectiveDelegates(n, input.topic === null ? { proposal: targets.proposal, circle: targets.circle } : targets);
  // Resolve with each voter's own index as her "choice" class is impossible in an Int8Array, so
  // resolve once (lost/absent/cycles), then walk each member's chain to its voter with memoization.
  const choice = new Int8Array(n).fill(-1);
  for (const v of input.voters) {
    const i = index.get(v);
    if (i !== undefined) {
      choice[i] = 0;
      delegate[i] = NO_DELEGATE; // a direct vote overrides her own delegation
    }
  }
  const { resolved, cycles } = resolveDelegations({ choice, delegate });
  const terminal = new Int32Array(n).fill(-2); // -2 unknown, -1 none (lost or absent)
  const path: number[] = [];
  for (let start = 0; start < n; start++) {
    let i = start;
    while (terminal[i] === -2) {
      if (resolved[i] < 0) {
        terminal[i] = -1;
        break;
      }
      if (choice[i] >= 0) {
        terminal[i] = i;
        break;
      }
      path.push(i);
      i = delegate[i];
    }
    const t = terminal[i];
    while (path.length) terminal[path.pop() as number] = t;
  }
  const weight = new Map<number, number>();
  let lost = 0;
  let absent = 0;
  for (let i = 0; i < n; i++) {
    if (terminal[i] >= 0) weight.set(terminal[i], (weight.get(terminal[i]) ?? 0) + 1);
    else if (resolved[i] === -1) absent++;
    else lost++;
  }
  const effective: DelegationGraph['effective'] = [];
  for (let i = 0; i < n; i++) if (delegate[i] !== NO_DELEGATE) effective.push({ member: eligible[i], delegate: eligible[delegate[i]] });
  return {
    effective,
    weights: [...weight]
      .map(([i, w]) => ({ member: eligible[i], weight: w }))
      .sort((a, b) => b.weight - a.weight || compareIds(a.member, b.member)),
    lost,
    absent,
    cycles: normalizeCycles(cycles.map((c) => c.map((i) => eligible[i]))),
  };
}
