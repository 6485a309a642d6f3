// SPEC §6 — the regime cursor: weighted median of the members' resolved
// `regime.position`s. A position is resolved like a vote whose choices are
// the four regime names, with circle-scoped delegations only (§5.2).
import {
  NO_DELEGATE,
  NO_VOTE,
  effectiveDelegates,
  indexMembers,
  resolveDelegations,
} from './resolve';
import { atLeastScaled } from './fraction';
import { REGIMES, isRegimeName, paramRatio, type Params, type RegimeName } from './params';

export type RegimeWeights = Record<RegimeName, number>;

export interface CursorResult {
  /** The median position, or null when below quorum or nothing is cast. */
  regime: RegimeName | null;
  weights: RegimeWeights;
  cast: number;
  E: number;
}

export interface CursorInput {
  /** Current members of the circle; weight 1 each. */
  members: readonly string[];
  /** Each member's latest position; positions of non-members are ignored. */
  positions: ReadonlyMap<string, RegimeName>;
  /** Circle-scoped delegations in force: member → delegate. Non-member delegates are skipped. */
  delegations: ReadonlyMap<string, string>;
  /** The circle's params (cursorQuorum is read, defaulting to 1/2). */
  params: Partial<Params>;
}

export interface CursorArraysInput {
  /** Per member: index into REGIMES, or -1. */
  position: Int8Array;
  /** Per member: circle-scoped delegate index, or -1. */
  delegate: Int32Array;
  params: Partial<Params>;
}

/** Typed-array entry point: resolve, weigh, then take the median. */
export function regimeCursorArrays(input: CursorArraysInput): CursorResult {
  const { position, delegate } = input;
  for (let i = 0; i < position.length; i++) {
    if (position[i] < NO_VOTE || position[i] >= REGIMES.length) throw new RangeError(`bad position code ${position[i]}`);
  }
  const { resolved } = resolveDelegations({ choice: position, delegate });
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < resolved.length; i++) if (resolved[i] >= 0) counts[resolved[i]]++;
  return weightedMedian(counts, position.length, input.params);
}

export function regimeCursor(input: CursorInput): CursorResult {
  const { members, positions, delegations } = input;
  const index = indexMembers(members);
  const position = new Int8Array(members.length).fill(NO_VOTE);
  const circle = new Int32Array(members.length).fill(NO_DELEGATE);
  for (const [member, p] of positions) {
    const i = index.get(member);
    if (i === undefined) continue;
    if (!isRegimeName(p)) throw new RangeError(`position "${String(p)}" of ${member} is not a regime`);
    position[i] = REGIMES.indexOf(p);
  }
  for (const [member, to] of delegations) {
    const i = index.get(member);
    const d = index.get(to);
    if (i !== undefined && d !== undefined) circle[i] = d;
  }
  return regimeCursorArrays({ position, delegate: effectiveDelegates(members.length, { circle }), params: input.params });
}

/**
 * The lowest position whose cumulative weight reaches half the cast weight
 * (cumulative·2 ≥ cast), so ties go toward the more consensual side; null
 * when less than cursorQuorum·E is cast, or nothing at all.
 */
function weightedMedian(counts: readonly number[], E: number, params: Partial<Params>): CursorResult {
  const weights = Object.fromEntries(REGIMES.map((r, k) => [r, counts[k]])) as RegimeWeights;
  const cast = counts.reduce((a, b) => a + b, 0);
  let regime: RegimeName | null = null;
  if (cast > 0 && atLeastScaled(cast, paramRatio(params, 'cursorQuorum'), E)) {
    let cumulative = 0;
    for (let k = 0; k < REGIMES.length; k++) {
      cumulative += counts[k];
      if (cumulative * 2 >= cast) {
        regime = REGIMES[k];
        break;
      }
    }
  }
  return { regime, weights, cast, E };
}

export interface RegimeChangedBody {
  from: RegimeName;
  to: RegimeName;
  weights: RegimeWeights;
  cast: number;
  E: number;
}

/** The `regime.changed` body to append, or null when the cursor does not move the circle. */
export function regimeChange(current: RegimeName, result: CursorResult): RegimeChangedBody | null {
  if (result.regime === null || result.regime === current) return null;
  return { from: current, to: result.regime, weights: { ...result.weights }, cast: result.cast, E: result.E };
}
