// A million members: the index core must neither recurse nor go quadratic.
import { ABSENT, LOST, effectiveDelegates, resolveDelegations } from '../../../src/core/governance/resolve';
import { freezeParams } from '../../../src/core/governance/params';
import { tallyArrays } from '../../../src/core/governance/tally';
import { regimeCursorArrays } from '../../../src/core/governance/cursor';

const MILLION = 1_000_000;

// Speed is measured by `npm run bench:tally`, never asserted here: these cases prove that a
// million members neither overflow the stack nor go quadratic (a run would not finish).
function timed<T>(f: () => T): { value: T } {
  return { value: f() };
}

const allEqual = (xs: Int8Array, v: number) => xs.every((x) => x === v);

/** Int32Array.from with a map function is slow at this size; a plain loop is not. */
function int32(n: number, f: (i: number) => number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

it('resolves one chain through all 1,000,000 members ending in a voter', () => {
  const delegate = int32(MILLION, (i) => (i + 1 < MILLION ? i + 1 : -1));
  const choice = new Int8Array(MILLION).fill(-1);
  choice[MILLION - 1] = 2;
  const { value } = timed(() => resolveDelegations({ choice, delegate }));
  expect(allEqual(value.resolved, 2)).toBe(true);
  expect(value.cycles).toStrictEqual([]);
});

it('resolves the same chain walked from its voter end', () => {
  const delegate = int32(MILLION, (i) => i - 1);
  const choice = new Int8Array(MILLION).fill(-1);
  choice[0] = 1;
  const { value } = timed(() => resolveDelegations({ choice, delegate }));
  expect(allEqual(value.resolved, 1)).toBe(true);
});

it('loses a chain of 1,000,000 ending in an absent member', () => {
  const delegate = int32(MILLION, (i) => (i + 1 < MILLION ? i + 1 : -1));
  const { resolved } = resolveDelegations({ choice: new Int8Array(MILLION).fill(-1), delegate });
  expect(allEqual(resolved.subarray(0, MILLION - 1), LOST)).toBe(true);
  expect(resolved[MILLION - 1]).toBe(ABSENT);
});

it('reports one cycle of 1,000,000 members', () => {
  const delegate = int32(MILLION, (i) => (i + 1) % MILLION);
  const { value } = timed(() => resolveDelegations({ choice: new Int8Array(MILLION).fill(-1), delegate }));
  expect(allEqual(value.resolved, LOST)).toBe(true);
  expect(value.cycles).toHaveLength(1);
  expect(value.cycles[0]).toHaveLength(MILLION);
  expect(value.cycles[0][0]).toBe(0);
});

it('tallies a random circle of 1,000,000 through the typed-array entry point', () => {
  // Deterministic pseudo-random graph: a quarter vote, most others delegate
  // at some scope, with a few thousand two-member rings.
  let seed = 42;
  const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % k);
  const members: string[] = [];
  for (let i = 0; i < MILLION; i++) members.push(`m${String(i).padStart(7, '0')}`);
  const choice = new Int8Array(MILLION).fill(-1);
  const none = () => new Int32Array(MILLION).fill(-1);
  const proposal = none();
  const topic = none();
  const circle = none();
  for (let i = 0; i < MILLION; i++) {
    const r = rand(100);
    if (r < 25) choice[i] = rand(3);
    else if (r < 30) proposal[i] = rand(MILLION);
    else if (r < 40) topic[i] = rand(MILLION);
    else if (r < 95) circle[i] = rand(MILLION);
  }
  for (let i = 0; i + 1 < 4000; i += 2) {
    choice[i] = choice[i + 1] = -1;
    proposal[i] = i + 1;
    proposal[i + 1] = i;
  }
  const { value: body } = timed(() =>
    tallyArrays({
      proposal: 'p-big',
      kind: 'motion',
      regime: 'amendment',
      params: freezeParams({}),
      members,
      choice,
      delegate: effectiveDelegates(MILLION, { proposal, topic, circle }),
    }),
  );
  const { totals, lost, absent } = body;
  expect(totals.E).toBe(MILLION);
  expect(totals.Y + totals.N + totals.A + totals.O + lost.weight + absent).toBe(MILLION);
  expect(lost.cycles.length).toBeGreaterThanOrEqual(2000);
  expect(lost.cycles[0]).toStrictEqual(['m0000000', 'm0000001']);
});

it('moves the regime cursor over 1,000,000 members', () => {
  const position = new Int8Array(MILLION);
  for (let i = 0; i < MILLION; i++) position[i] = i % 2 === 0 ? i % 4 : -1;
  const delegate = int32(MILLION, (i) => (i % 2 === 0 ? -1 : i - 1));
  const result = regimeCursorArrays({ position, delegate, params: {} });
  expect(result).toStrictEqual({
    regime: 'unanimity', // an exact tie goes to the more consensual side
    weights: { unanimity: 500_000, 'do-ocracy': 0, amendment: 500_000, split: 0 },
    cast: MILLION,
    E: MILLION,
  });
});
