// SPEC §5.2 for one member: how her weight was cast on a proposal. The verdict comes from the same
// resolution the tally runs (resolveDelegations over the effective delegations); the chain is her
// own path through those effective delegations, read off the same arrays.
import {
  choiceCodesById,
  compareIds,
  effectiveDelegates,
  indexMembers,
  LOST,
  NO_DELEGATE,
  normalizeCycles,
  resolveDelegations,
  ScopedDelegation,
  scopedTargetsById,
} from './resolve';

export interface WeightInput {
  eligible: readonly string[];
  /** Direct votes in the state considered (at close, or now while open): member → choice. */
  votes: ReadonlyMap<string, string>;
  delegations: ReadonlyMap<string, ScopedDelegation>;
  topic: string | null;
  /** A `split` proposal counts direct votes only: delegation does not apply (§5.4). */
  delegationApplies: boolean;
}

export type WeightCast =
  | { member: string; cast: 'direct' | 'delegated'; choice: string; chain: string[] }
  | { member: string; cast: 'lost'; chain: string[]; cycle?: string[] }
  | { member: string; cast: 'absent'; chain: string[] };

/** Her weight's fate; null when she is not eligible (she has no weight on this proposal). */
export function weightOf(input: WeightInput, member: string): WeightCast | null {
  const { eligible } = input;
  const index = indexMembers(eligible);
  const start = index.get(member);
  if (start === undefined) return null;
  const n = eligible.length;
  const choices = [...new Set([...input.votes].filter(([m]) => index.has(m)).map(([, c]) => c))].sort(compareIds);
  const choice = choiceCodesById(index, input.votes, choices);
  const targets = scopedTargetsById(index, input.delegations);
  const delegate = input.delegationApplies
    ? effectiveDelegates(n, input.topic === null ? { proposal: targets.proposal, circle: targets.circle } : targets)
    : new Int32Array(n).fill(NO_DELEGATE);
  const { resolved, cycles } = resolveDelegations({ choice, delegate });

  if (choice[start] >= 0) return { member, cast: 'direct', choice: choices[choice[start]], chain: [] };
  const chain: number[] = [];
  const onChain = new Set<number>([start]);
  for (let i = delegate[start]; i !== NO_DELEGATE; i = choice[i] >= 0 ? NO_DELEGATE : delegate[i]) {
    if (onChain.has(i)) break; // the chain entered a cycle: it ends where it came back
    chain.push(i);
    onChain.add(i);
  }
  const ids = chain.map((i) => eligible[i]);
  const r = resolved[start];
  if (r >= 0) return { member, cast: 'delegated', choice: choices[r], chain: ids };
  if (r !== LOST) return { member, cast: 'absent', chain: [] };
  // Members before a cycle belong to none, so the one cycle touching her path is the one it entered.
  const cycle = cycles.find((c) => c.some((i) => onChain.has(i)));
  return { member, cast: 'lost', chain: ids, ...(cycle ? { cycle: normalizeCycles([cycle.map((i) => eligible[i])])[0] } : {}) };
}
