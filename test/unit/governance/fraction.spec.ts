import {
  atLeastScaled,
  compareRatios,
  compareScaled,
  floorScaled,
  formatRatio,
  isUnitRatio,
  lessThanScaled,
  parseRatio,
  ratio,
} from '../../../src/core/governance/fraction';

describe('parseRatio', () => {
  it.each([
    [0.1, 1n, 10n],
    [0.2, 1n, 5n],
    [1, 1n, 1n],
    [0, 0n, 1n],
    [-0, 0n, 1n],
    [1e-7, 1n, 10_000_000n],
    [1.5e-7, 3n, 20_000_000n],
    [1.5e21, 1_500_000_000_000_000_000_000n, 1n],
    [0.07, 7n, 100n],
    [0.3333333333333333, 3333333333333333n, 10000000000000000n],
    ['1/3', 1n, 3n],
    ['2/6', 1n, 3n],
    ['0/5', 0n, 1n],
    ['01/03', 1n, 3n],
    ['0.25', 1n, 4n],
    ['1', 1n, 1n],
    ['0.10', 1n, 10n],
    ['5/2', 5n, 2n],
  ])('reads %p as an exact fraction', (value, num, den) => {
    expect(parseRatio(value)).toStrictEqual({ num, den });
  });

  it.each([
    [-0.1],
    [NaN],
    [Infinity],
    ['1/0'],
    ['-1/3'],
    ['1/-3'],
    [' 1/3'],
    ['1 / 3'],
    ['.5'],
    ['5.'],
    ['1e-7'], // exponent forms only for JSON numbers
    ['0x10'],
    [''],
    ['1/3/4'],
    [null],
    [undefined],
    [true],
    [{ num: 1, den: 3 }],
    [[1, 3]],
    [1n],
  ])('refuses %p', (value) => {
    expect(parseRatio(value)).toBeNull();
  });

  it('distinguishes 1/3 from its float approximation', () => {
    expect(compareRatios(parseRatio('1/3')!, parseRatio(1 / 3)!)).toBe(1);
  });
});

describe('scaled comparisons', () => {
  const tenth = parseRatio(0.1)!;
  it('compares a against ratio·b with integers only', () => {
    expect(compareScaled(3, tenth, 30)).toBe(0);
    expect(compareScaled(2, tenth, 30)).toBe(-1);
    expect(compareScaled(4, tenth, 30)).toBe(1);
    expect(lessThanScaled(3, tenth, 30)).toBe(false);
    expect(lessThanScaled(2, tenth, 30)).toBe(true);
    expect(atLeastScaled(3, tenth, 30)).toBe(true);
    expect(atLeastScaled(1n, parseRatio('1/3')!, 3n)).toBe(true);
  });
  it('works beyond the safe-integer range with bigints', () => {
    const big = 2n ** 80n;
    expect(compareScaled(big, ratio(1, 2), big * 2n)).toBe(0);
  });
  it('refuses non-integer numbers', () => {
    expect(() => compareScaled(0.5, tenth, 1)).toThrow(RangeError);
  });
  it('floors ratio·n', () => {
    expect(floorScaled(parseRatio('1/2')!, 60_001)).toBe(30_000n);
    expect(floorScaled(parseRatio('1/3')!, 10)).toBe(3n);
    expect(floorScaled(parseRatio(1)!, 7)).toBe(7n);
    expect(() => floorScaled(tenth, -1)).toThrow(RangeError);
  });
});

describe('ratio helpers', () => {
  it('reduces and validates', () => {
    expect(ratio(6, 4)).toStrictEqual({ num: 3n, den: 2n });
    expect(() => ratio(1, 0)).toThrow(RangeError);
    expect(() => ratio(-1, 2)).toThrow(RangeError);
    expect(formatRatio(ratio(2, 6))).toBe('1/3');
  });
  it('knows the unit interval', () => {
    expect(isUnitRatio(ratio(0))).toBe(true);
    expect(isUnitRatio(ratio(1))).toBe(true);
    expect(isUnitRatio(ratio(5, 4))).toBe(false);
  });
});
