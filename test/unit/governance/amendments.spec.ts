import { parseRatio } from '../../../src/core/governance/fraction';
import { amendmentsCloseAt, applyAmendments, countOccurrences, matchesOnce } from '../../../src/core/governance/amendments';

describe('countOccurrences', () => {
  it('counts overlapping occurrences', () => {
    expect(countOccurrences('aaa', 'aa')).toBe(2);
    expect(countOccurrences('abababa', 'aba')).toBe(3);
    expect(countOccurrences('banana', 'ana')).toBe(2);
    expect(countOccurrences('banana', 'nab')).toBe(0);
    expect(countOccurrences('x', 'x')).toBe(1);
    expect(countOccurrences('', 'x')).toBe(0);
  });
  it('refuses an empty find', () => {
    expect(() => countOccurrences('abc', '')).toThrow(RangeError);
    expect(matchesOnce('abc', '')).toBe(false);
  });
  it('matches exactly once or not at all', () => {
    expect(matchesOnce('the cat sat', 'cat')).toBe(true);
    expect(matchesOnce('aaa', 'aa')).toBe(false); // two overlapping occurrences
  });
});

describe('applyAmendments', () => {
  it('applies in opening order, each on the text amended so far', () => {
    expect(
      applyAmendments('one two three', [
        { id: 'a1', find: 'two', replace: '2' },
        { id: 'a2', find: 'one 2', replace: 'one, 2' },
        { id: 'a3', find: 'four', replace: '4' }, // never occurs
        { id: 'a4', find: 'e', replace: 'E' }, // occurs in "one" and "three" (twice)
        { id: 'a5', find: 'thr', replace: 'Thr' },
      ]),
    ).toStrictEqual({ text: 'one, 2 Three', applied: ['a1', 'a2', 'a5'], void: ['a3', 'a4'] });
  });
  it('voids an amendment whose find became ambiguous', () => {
    expect(
      applyAmendments('red door', [
        { id: 'a1', find: 'door', replace: 'red red door' },
        { id: 'a2', find: 'red', replace: 'blue' },
      ]),
    ).toStrictEqual({ text: 'red red red door', applied: ['a1'], void: ['a2'] });
  });
  it('inserts the replacement literally, "$&" included', () => {
    expect(applyAmendments('price: X', [{ id: 'a1', find: 'X', replace: '$& $$ $1' }]).text).toBe('price: $& $$ $1');
  });
  it('voids an empty find instead of throwing', () => {
    expect(applyAmendments('abc', [{ id: 'a1', find: '', replace: 'z' }])).toStrictEqual({ text: 'abc', applied: [], void: ['a1'] });
  });
});

describe('amendmentsCloseAt', () => {
  const opened = Date.parse('2030-01-01T00:00:00.000Z');
  it('is the opening plus amendingShare of the window, rounded down to the millisecond', () => {
    expect(amendmentsCloseAt(opened, opened + 60_001, parseRatio('1/2')!)).toBe(opened + 30_000);
    expect(amendmentsCloseAt(opened, opened + 10, parseRatio('1/3')!)).toBe(opened + 3);
    expect(amendmentsCloseAt(opened, opened + 1000, parseRatio(0)!)).toBe(opened);
    expect(amendmentsCloseAt(opened, opened + 1000, parseRatio(1)!)).toBe(opened + 1000);
    expect(new Date(amendmentsCloseAt(opened, opened + 86_400_000, parseRatio(0.1)!)).toISOString()).toBe(
      '2030-01-01T02:24:00.000Z',
    );
  });
  it('refuses a window that ends before it starts or fractional times', () => {
    expect(() => amendmentsCloseAt(opened, opened - 1, parseRatio('1/2')!)).toThrow(RangeError);
    expect(() => amendmentsCloseAt(0.5, 10, parseRatio('1/2')!)).toThrow(RangeError);
  });
});
