// SPEC §5.2 — resolving delegations.
// Index-based and iterative so that a circle of millions of members, or one
// delegation chain as long as the whole circle, resolves in linear time
// without recursion. The id-based wrapper at the bottom serves tests, the
// offline verifier and small circles; it calls the same core.

/** `choice` value of a member who did not vote directly. */
export const NO_VOTE = -1;
/** `delegate` value of a member without an effective delegation. */
export const NO_DELEGATE = -1;
/** Resolved: neither a direct vote nor an effective delegation; her own weight is not cast. */
export const ABSENT = -1;
/** Resolved: her chain reached an absent member or entered a cycle. */
export const LOST = -2;

export interface ResolveInput {
  /** Per eligible member: her direct vote as a choice code 0..127, or NO_VOTE. */
  choice: Int8Array;
  /** Per eligible member: the index of her effective delegate, or NO_DELEGATE. */
  delegate: Int32Array;
}

export interface ResolveOutput {
  /** Per member: the choice code that received her weight, LOST or ABSENT. */
  resolved: Int8Array;
  /** Member indices of each cycle, following its delegations; unsorted (the id-based functions sort). */
  cycles: number[][];
}

// Working marks live in `resolved` itself until a member is settled, so a hop
// touches three arrays rather than five: on random graphs of millions of
// members the walk is bound by memory access, not arithmetic.
const UNSEEN = -4;
const ON_PATH = -3;

/**
 * Follows effective delegations hop by hop. Each member is pushed on the
 * path at most once and settled once, so the walk is O(members) and uses no
 * recursion; a direct vote ends a chain whatever the voter's own delegation.
 */
export function resolveDelegations(input: ResolveInput): ResolveOutput {
  const { choice, delegate } = input;
  const n = choice.length;
  if (delegate.length !== n) throw new RangeError('resolveDelegations: choice and delegate differ in length');
  for (let i = 0; i < n; i++) {
    const d = delegate[i];
    if (d < NO_DELEGATE || d >= n) throw new RangeError(`resolveDelegations: delegate[${i}] = ${d} out of range`);
    if (choice[i] < NO_VOTE) throw new RangeError(`resolveDelegations: choice[${i}] = ${choice[i]} is not a choice code`);
  }

  const resolved = new Int8Array(n).fill(UNSEEN);
  const path = new Int32Array(n);
  const cycles: number[][] = [];

  for (let start = 0; start < n; start++) {
    if (resolved[start] !== UNSEEN) continue;
    let depth = 0;
    let cur = start;
    // What the members on the path receive: a choice code or LOST.
    let carried = LOST;
    for (;;) {
      const r = resolved[cur];
      if (r === ON_PATH) {
        // The walk came back to a member of its own path: that tail is a cycle.
        // Scanning back costs the cycle's length, and each member is in one cycle at most.
        let k = depth - 1;
        while (path[k] !== cur) k--;
        const cycle: number[] = [];
        for (let j = k; j < depth; j++) cycle.push(path[j]);
        cycles.push(cycle);
        break;
      }
      if (r !== UNSEEN) {
        if (r >= 0) carried = r; // an absent or lost member passes on LOST
        break;
      }
      const c = choice[cur];
      if (c >= 0) {
        resolved[cur] = c;
        carried = c;
        break;
      }
      const d = delegate[cur];
      if (d === NO_DELEGATE) {
        resolved[cur] = ABSENT;
        break;
      }
      resolved[cur] = ON_PATH;
      path[depth++] = cur;
      cur = d;
    }
    for (let k = 0; k < depth; k++) resolved[path[k]] = carried;
  }
  return { resolved, cycles };
}

/**
 * Targets of one member's delegations in force, per scope, as indices of
 * eligible members; NO_DELEGATE when she has none in that scope or when its
 * delegate is not eligible. `topic` holds only delegations for the
 * proposal's own topic. A scope may be left out (the regime cursor uses
 * circle-scoped delegations only).
 */
export interface ScopedTargets {
  proposal?: Int32Array;
  topic?: Int32Array;
  circle?: Int32Array;
}

/**
 * The effective delegation of each member: proposal scope, else topic, else
 * circle, skipping a scope whose delegate is not eligible (already NO_DELEGATE
 * in `targets`).
 */
export function effectiveDelegates(size: number, targets: ScopedTargets): Int32Array {
  const scopes = [targets.proposal, targets.topic, targets.circle].filter((t): t is Int32Array => t !== undefined);
  for (const t of scopes) {
    if (t.length !== size) throw new RangeError('effectiveDelegates: a scope array differs in length from the circle');
    for (let i = 0; i < size; i++) {
      if (t[i] < NO_DELEGATE || t[i] >= size) throw new RangeError(`effectiveDelegates: target ${t[i]} out of range`);
    }
  }
  const delegate = new Int32Array(size).fill(NO_DELEGATE);
  // Broadest scope first, so that narrower ones overwrite it.
  for (let s = scopes.length - 1; s >= 0; s--) {
    const t = scopes[s];
    for (let i = 0; i < size; i++) if (t[i] !== NO_DELEGATE) delegate[i] = t[i];
  }
  return delegate;
}

// ---------------------------------------------------------------------------
// Id-based wrapper.

/** One member's delegations in force for one proposal, as target member ids. */
export interface ScopedDelegation {
  /** Scoped to this very proposal. */
  proposal?: string;
  /** Scoped to this proposal's topic (exact match already made). */
  topic?: string;
  /** Scoped to the whole circle. */
  circle?: string;
}

export type MemberResolution =
  | { kind: 'cast'; choice: string; direct: boolean }
  | { kind: 'lost' }
  | { kind: 'absent' };

export interface ResolveByIdInput {
  eligible: readonly string[];
  /** Direct votes at close: member id → choice. Votes of non-eligible members are ignored. */
  votes: ReadonlyMap<string, string>;
  /** Delegations in force at close. Those of non-eligible members are ignored. */
  delegations: ReadonlyMap<string, ScopedDelegation>;
  /**
   * Choice names in code order; defaults to the distinct voted choices in
   * plain string order. A vote outside the list is an error.
   */
  choices?: readonly string[];
  /**
   * The proposal's topic: when null, topic-scoped delegations cannot match and
   * are ignored; when left out, `topic` entries are taken as already matched.
   */
  topic?: string | null;
}

export interface ResolveByIdOutput {
  resolved: Map<string, MemberResolution>;
  /** Each cycle rotated to start at its smallest id; the list sorted. */
  cycles: string[][];
}

/** Plain UTF-16 code unit order, as the spec requires (not localeCompare). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rotates each cycle to its smallest id and sorts the list (§5.2). */
export function normalizeCycles(cycles: readonly (readonly string[])[]): string[][] {
  const rotated = cycles.map((cycle) => {
    let min = 0;
    for (let k = 1; k < cycle.length; k++) if (cycle[k] < cycle[min]) min = k;
    return cycle.slice(min).concat(cycle.slice(0, min));
  });
  return rotated.sort((x, y) => {
    for (let k = 0; k < x.length && k < y.length; k++) {
      const c = compareIds(x[k], y[k]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  });
}

/** Eligible id → index; throws on a duplicate id. */
export function indexMembers(eligible: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < eligible.length; i++) {
    if (index.has(eligible[i])) throw new RangeError(`duplicate eligible member ${eligible[i]}`);
    index.set(eligible[i], i);
  }
  return index;
}

/** Per-scope target arrays from id-based delegations, non-eligible delegates mapped to NO_DELEGATE. */
export function scopedTargetsById(
  index: ReadonlyMap<string, number>,
  delegations: ReadonlyMap<string, ScopedDelegation>,
): Required<ScopedTargets> {
  const size = index.size;
  const targets = {
    proposal: new Int32Array(size).fill(NO_DELEGATE),
    topic: new Int32Array(size).fill(NO_DELEGATE),
    circle: new Int32Array(size).fill(NO_DELEGATE),
  };
  for (const [member, scoped] of delegations) {
    const i = index.get(member);
    if (i === undefined) continue;
    for (const scope of ['proposal', 'topic', 'circle'] as const) {
      const to = scoped[scope];
      const d = to === undefined ? undefined : index.get(to);
      if (d !== undefined) targets[scope][i] = d;
    }
  }
  return targets;
}

/** Direct votes as choice codes; throws on a choice outside `choices`. */
export function choiceCodesById(
  index: ReadonlyMap<string, number>,
  votes: ReadonlyMap<string, string>,
  choices: readonly string[],
): Int8Array {
  if (choices.length > 128) throw new RangeError('at most 128 choices');
  const code = new Map(choices.map((c, k) => [c, k]));
  const choice = new Int8Array(index.size).fill(NO_VOTE);
  for (const [member, c] of votes) {
    const i = index.get(member);
    if (i === undefined) continue;
    const k = code.get(c);
    if (k === undefined) throw new RangeError(`choice "${c}" of ${member} is not one of ${choices.join(', ')}`);
    choice[i] = k;
  }
  return choice;
}

export function resolveById(input: ResolveByIdInput): ResolveByIdOutput {
  const { eligible, votes, delegations } = input;
  const index = indexMembers(eligible);
  const choices =
    input.choices ??
    [...new Set([...votes].filter(([m]) => index.has(m)).map(([, c]) => c))].sort(compareIds);
  const choice = choiceCodesById(index, votes, choices);
  const targets = scopedTargetsById(index, delegations);
  const delegate = effectiveDelegates(
    eligible.length,
    input.topic === null ? { proposal: targets.proposal, circle: targets.circle } : targets,
  );
  const out = resolveDelegations({ choice, delegate });

  const resolved = new Map<string, MemberResolution>();
  for (let i = 0; i < eligible.length; i++) {
    const r = out.resolved[i];
    resolved.set(
      eligible[i],
      r >= 0
        ? { kind: 'cast', choice: choices[r], direct: choice[i] >= 0 }
        : r === LOST
          ? { kind: 'lost' }
          : { kind: 'absent' },
    );
  }
  return { resolved, cycles: normalizeCycles(out.cycles.map((c) => c.map((i) => eligible[i]))) };
}
