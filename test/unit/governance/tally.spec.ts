import { PARAM_NAMES, freezeParams, type Params } from '../../../src/core/governance/params';
import {
  amendmentRegimeOutcome,
  choicesFor,
  decideOutcome,
  doOcracyOutcome,
  splitKindOutcome,
  splitRegimeOutcome,
  tallyArrays,
  tallyProposal,
  unanimityOutcome,
  type Totals,
} from '../../../src/core/governance/tally';
import { snapshot } from './story';

const T = (E: number, Y: number, N: number, A: number, O: number): Totals => ({ E, Y, N, A, O });
const P = (over: Partial<Params> = {}) => freezeParams(over);

describe('choicesFor', () => {
  it('gives the choices of each regime, and leave/stay for a split proposal', () => {
    expect(choicesFor('motion', 'unanimity')).toStrictEqual(['yes', 'no', 'abstain']);
    expect(choicesFor('membership', 'do-ocracy')).toStrictEqual(['support', 'object', 'abstain']);
    expect(choicesFor('amendment', 'amendment')).toStrictEqual(['yes', 'no', 'abstain']);
    expect(choicesFor('regime', 'split')).toStrictEqual(['yes', 'no', 'abstain']);
    expect(choicesFor('split', 'do-ocracy')).toStrictEqual(['leave', 'stay']);
  });
});

describe('outcome rules', () => {
  it('unanimity: N = 0, Y > 0, Y + A ≥ quorum·E', () => {
    expect(unanimityOutcome(T(4, 4, 0, 0, 0), P())).toBe('adopted');
    expect(unanimityOutcome(T(4, 3, 0, 0, 0), P())).toBe('rejected');
    expect(unanimityOutcome(T(5, 3, 0, 1, 0), P({ unanimityQuorum: 0.8 }))).toBe('adopted');
    expect(unanimityOutcome(T(5, 3, 0, 0, 0), P({ unanimityQuorum: 0.8 }))).toBe('rejected');
    expect(unanimityOutcome(T(5, 0, 0, 5, 0), P())).toBe('rejected');
    expect(unanimityOutcome(T(5, 1, 0, 0, 0), P({ unanimityQuorum: 0 }))).toBe('adopted');
  });

  it('do-ocracy: O < share·E, and O = 0 when share·E < 1', () => {
    expect(doOcracyOutcome(T(10, 0, 0, 0, 0), P())).toBe('adopted'); // share·E = 1
    expect(doOcracyOutcome(T(10, 0, 0, 0, 1), P())).toBe('rejected');
    expect(doOcracyOutcome(T(11, 0, 0, 0, 1), P())).toBe('adopted'); // 1 < 1.1
    expect(doOcracyOutcome(T(9, 0, 0, 0, 0), P())).toBe('adopted');
    expect(doOcracyOutcome(T(9, 5, 0, 0, 1), P())).toBe('rejected');
    expect(doOcracyOutcome(T(20, 0, 0, 0, 1), P({ objectionShare: '1/19' }))).toBe('adopted'); // 1 < 20/19
    expect(doOcracyOutcome(T(19, 0, 0, 0, 1), P({ objectionShare: '1/19' }))).toBe('rejected');
  });

  it('do-ocracy, read literally, adopts nothing when objectionShare·E = 0', () => {
    expect(doOcracyOutcome(T(10, 10, 0, 0, 0), P({ objectionShare: 0 }))).toBe('rejected');
    expect(doOcracyOutcome(T(0, 0, 0, 0, 0), P())).toBe('rejected');
  });

  it('amendment regime: amendments use amendmentQuorum, every other kind majorityQuorum', () => {
    const t = T(20, 2, 1, 0, 0); // participation 3: ≥ 0.1·20, < 0.2·20
    expect(amendmentRegimeOutcome(t, P(), 'amendment')).toBe('adopted');
    expect(amendmentRegimeOutcome(t, P(), 'motion')).toBe('rejected');
    expect(amendmentRegimeOutcome(t, P(), 'regime')).toBe('rejected');
    expect(amendmentRegimeOutcome(t, P(), 'membership')).toBe('rejected');
    expect(amendmentRegimeOutcome(T(20, 3, 1, 0, 0), P(), 'membership')).toBe('adopted');
    expect(amendmentRegimeOutcome(T(20, 2, 2, 4, 0), P(), 'motion')).toBe('rejected');
  });

  it('split regime: forked iff both sides and the minority reaches splitShare of Y + N', () => {
    expect(splitRegimeOutcome(T(10, 2, 4, 0, 0), P())).toBe('forked');
    expect(splitRegimeOutcome(T(10, 2, 5, 0, 0), P())).toBe('rejected');
    expect(splitRegimeOutcome(T(10, 5, 2, 3, 0), P())).toBe('adopted');
    expect(splitRegimeOutcome(T(10, 5, 0, 0, 0), P())).toBe('adopted');
    expect(splitRegimeOutcome(T(10, 0, 5, 0, 0), P())).toBe('rejected');
    expect(splitRegimeOutcome(T(10, 0, 0, 0, 0), P({ splitShare: 0 }))).toBe('rejected');
    expect(splitRegimeOutcome(T(10, 1, 9, 0, 0), P({ splitShare: 0 }))).toBe('forked');
  });

  it('split proposal: forked iff anyone leaves', () => {
    expect(splitKindOutcome(T(3, 1, 2, 0, 0))).toBe('forked');
    expect(splitKindOutcome(T(3, 0, 2, 0, 0))).toBe('rejected');
    expect(decideOutcome('split', 'amendment', T(3, 1, 0, 0, 0), P())).toBe('forked');
  });
});

describe('tallyProposal', () => {
  const base = { regime: 'amendment' as const, eligible: ['alice', 'bob'] };

  it('refuses a choice the regime does not allow', () => {
    expect(() => tallyProposal(snapshot({ ...base, votes: { alice: 'support' } }))).toThrow(RangeError);
    expect(() => tallyProposal(snapshot({ ...base, kind: 'split', votes: { alice: 'yes' } }))).toThrow(RangeError);
  });

  it('ignores votes and delegations of members who are not eligible', () => {
    const result = tallyProposal(
      snapshot({ ...base, votes: { zed: 'no', bob: 'yes' }, delegations: { zed: { circle: 'bob' } } }),
    );
    expect(result.totals).toStrictEqual({ E: 2, Y: 1, N: 0, A: 0, O: 0 });
    expect(result.absent).toBe(1);
  });

  it('records all seven frozen params and nothing else', () => {
    const params = { ...freezeParams({ splitShare: '1/4' }), extra: 1 } as Params;
    const result = tallyProposal({ ...snapshot(base), params });
    expect(Object.keys(result.params).sort()).toStrictEqual([...PARAM_NAMES].sort());
    expect(result.params.splitShare).toBe('1/4');
  });

  it('refuses frozen params that are incomplete or invalid', () => {
    const { splitShare: _, ...partial } = freezeParams({});
    expect(() => tallyProposal({ ...snapshot(base), params: partial as Params })).toThrow(RangeError);
    expect(() => tallyProposal({ ...snapshot(base), params: { ...freezeParams({}), splitShare: 2 } })).toThrow(RangeError);
  });

  it('adds void only when given', () => {
    expect('void' in tallyProposal(snapshot(base))).toBe(false);
    expect(tallyProposal(snapshot({ ...base, void: [] })).void).toStrictEqual([]);
  });

  it('handles an empty circle', () => {
    expect(tallyProposal(snapshot({ regime: 'unanimity', eligible: [] }))).toMatchObject({
      outcome: 'rejected',
      totals: { E: 0, Y: 0, N: 0, A: 0, O: 0 },
      lost: { weight: 0, cycles: [] },
      absent: 0,
    });
  });
});

describe('tallyArrays', () => {
  it('gives the same body as tallyProposal', () => {
    const s = snapshot({
      regime: 'do-ocracy',
      eligible: ['a', 'b', 'c', 'd', 'e'],
      votes: { a: 'object', b: 'support' },
      delegations: { c: { circle: 'a' }, d: { circle: 'e' }, e: { circle: 'd' } },
    });
    const body = tallyArrays({
      proposal: 'p1',
      kind: 'motion',
      regime: 'do-ocracy',
      params: s.params,
      members: ['a', 'b', 'c', 'd', 'e'],
      choice: Int8Array.from([1, 0, -1, -1, -1]),
      delegate: Int32Array.from([-1, -1, 0, 4, 3]),
    });
    expect(body).toStrictEqual(tallyProposal(s));
    expect(body.lost).toStrictEqual({ weight: 2, cycles: [['d', 'e']] });
  });

  it('ignores delegations for a split proposal and refuses bad codes', () => {
    const input = {
      proposal: 'p1',
      kind: 'split' as const,
      regime: 'unanimity' as const,
      params: P(),
      members: ['a', 'b'],
      choice: Int8Array.from([0, -1]),
      delegate: Int32Array.from([-1, 0]),
    };
    expect(tallyArrays(input).totals).toStrictEqual({ E: 2, Y: 1, N: 0, A: 0, O: 0 });
    expect(() => tallyArrays({ ...input, choice: Int8Array.from([2, -1]) })).toThrow(RangeError);
  });
});
