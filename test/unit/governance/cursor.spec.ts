import { regimeChange, regimeCursor, regimeCursorArrays } from '../../../src/core/governance/cursor';
import type { RegimeName } from '../../../src/core/governance/params';

const cursor = (members: string[], positions: Record<string, string>, delegations: Record<string, string> = {}, params = {}) =>
  regimeCursor({
    members,
    positions: new Map(Object.entries(positions)) as Map<string, RegimeName>,
    delegations: new Map(Object.entries(delegations)),
    params,
  });

describe('regime cursor', () => {
  it('gives no regime when nothing is cast, even with quorum 0', () => {
    expect(cursor([], {})).toStrictEqual({
      regime: null,
      weights: { unanimity: 0, 'do-ocracy': 0, amendment: 0, split: 0 },
      cast: 0,
      E: 0,
    });
    expect(cursor(['a'], {}, {}, { cursorQuorum: 0 }).regime).toBeNull();
  });

  it('reads cursorQuorum exactly', () => {
    const members = ['a', 'b', 'c'];
    expect(cursor(members, { a: 'split' }, {}, { cursorQuorum: '1/3' }).regime).toBe('split');
    expect(cursor(members, { a: 'split' }, {}, { cursorQuorum: 0.34 }).regime).toBeNull();
  });

  it('ignores positions and delegations of non-members, and loses weight in cycles', () => {
    const result = cursor(['a', 'b', 'c', 'd'], { a: 'amendment', zed: 'split' }, { b: 'c', c: 'b', d: 'zed', zed: 'a' });
    expect(result).toStrictEqual({
      regime: null, // 1 < 1/2·4
      weights: { unanimity: 0, 'do-ocracy': 0, amendment: 1, split: 0 },
      cast: 1,
      E: 4,
    });
  });

  it('lets a direct position override the member’s own delegation', () => {
    const result = cursor(['a', 'b'], { a: 'split', b: 'do-ocracy' }, { a: 'b' });
    expect(result.weights).toStrictEqual({ unanimity: 0, 'do-ocracy': 1, amendment: 0, split: 1 });
    expect(result.regime).toBe('do-ocracy');
  });

  it('refuses a position that is not a regime', () => {
    expect(() => cursor(['a'], { a: 'majority' })).toThrow(RangeError);
    expect(() =>
      regimeCursorArrays({ position: Int8Array.from([4]), delegate: Int32Array.from([-1]), params: {} }),
    ).toThrow(RangeError);
  });

  it('appends regime.changed only when the median differs from the circle’s regime', () => {
    const result = cursor(['a'], { a: 'split' });
    expect(regimeChange('split', result)).toBeNull();
    expect(regimeChange('unanimity', result)).toStrictEqual({
      from: 'unanimity',
      to: 'split',
      weights: { unanimity: 0, 'do-ocracy': 0, amendment: 0, split: 1 },
      cast: 1,
      E: 1,
    });
  });
});
