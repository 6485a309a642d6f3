import {
  ABSENT,
  LOST,
  effectiveDelegates,
  normalizeCycles,
  resolveById,
  resolveDelegations,
} from '../../../src/core/governance/resolve';

const i8 = (xs: number[]) => Int8Array.from(xs);
const i32 = (xs: number[]) => Int32Array.from(xs);

describe('resolveDelegations', () => {
  it('resolves chains, direct votes, absences and cycles', () => {
    // 0 → 1 → 2 (votes 0); 3 votes 1 but delegates to 0; 4 absent; 5 → 4; 6 ↔ 7; 8 → 6
    const { resolved, cycles } = resolveDelegations({
      choice: i8([-1, -1, 0, 1, -1, -1, -1, -1, -1]),
      delegate: i32([1, 2, -1, 0, -1, 4, 7, 6, 6]),
    });
    expect(Array.from(resolved)).toStrictEqual([0, 0, 0, 1, ABSENT, LOST, LOST, LOST, LOST]);
    expect(cycles).toStrictEqual([[6, 7]]);
  });
  it('treats a self-delegation as a cycle of one', () => {
    const { resolved, cycles } = resolveDelegations({ choice: i8([-1]), delegate: i32([0]) });
    expect(Array.from(resolved)).toStrictEqual([LOST]);
    expect(cycles).toStrictEqual([[0]]);
  });
  it('handles an empty circle', () => {
    expect(resolveDelegations({ choice: i8([]), delegate: i32([]) })).toStrictEqual({ resolved: new Int8Array(0), cycles: [] });
  });
  it('refuses malformed input', () => {
    expect(() => resolveDelegations({ choice: i8([-1]), delegate: i32([]) })).toThrow(RangeError);
    expect(() => resolveDelegations({ choice: i8([-1]), delegate: i32([1]) })).toThrow(RangeError);
    expect(() => resolveDelegations({ choice: i8([-1]), delegate: i32([-2]) })).toThrow(RangeError);
    expect(() => resolveDelegations({ choice: i8([-3]), delegate: i32([-1]) })).toThrow(RangeError);
  });
});

describe('effectiveDelegates', () => {
  it('takes proposal, else topic, else circle scope', () => {
    expect(
      Array.from(
        effectiveDelegates(4, {
          proposal: i32([1, -1, -1, -1]),
          topic: i32([2, 2, -1, -1]),
          circle: i32([3, 3, 3, -1]),
        }),
      ),
    ).toStrictEqual([1, 2, 3, -1]);
  });
  it('works with any scope left out', () => {
    expect(Array.from(effectiveDelegates(2, { circle: i32([1, -1]) }))).toStrictEqual([1, -1]);
    expect(Array.from(effectiveDelegates(2, {}))).toStrictEqual([-1, -1]);
  });
  it('refuses mismatched or out-of-range arrays', () => {
    expect(() => effectiveDelegates(2, { circle: i32([1]) })).toThrow(RangeError);
    expect(() => effectiveDelegates(2, { circle: i32([2, -1]) })).toThrow(RangeError);
  });
});

describe('resolveById', () => {
  it('reports per member outcome and whether the vote was direct', () => {
    const { resolved, cycles } = resolveById({
      eligible: ['alice', 'bob', 'carol'],
      votes: new Map([['bob', 'yes'], ['zed', 'no']]),
      delegations: new Map([['alice', { circle: 'bob' }]]),
    });
    expect(resolved).toStrictEqual(
      new Map([
        ['alice', { kind: 'cast', choice: 'yes', direct: false }],
        ['bob', { kind: 'cast', choice: 'yes', direct: true }],
        ['carol', { kind: 'absent' }],
      ]),
    );
    expect(cycles).toStrictEqual([]);
  });
  it('refuses duplicate members and choices outside the given list', () => {
    expect(() => resolveById({ eligible: ['a', 'a'], votes: new Map(), delegations: new Map() })).toThrow(RangeError);
    expect(() =>
      resolveById({ eligible: ['a'], votes: new Map([['a', 'maybe']]), delegations: new Map(), choices: ['yes', 'no'] }),
    ).toThrow(RangeError);
  });
});

describe('normalizeCycles', () => {
  it('rotates to the smallest id in code-unit order and sorts', () => {
    expect(normalizeCycles([['c', 'a', 'b'], ['b2', 'B1'], ['é', 'e']])).toStrictEqual([
      ['B1', 'b2'],
      ['a', 'b', 'c'],
      ['e', 'é'],
    ]);
  });
});
