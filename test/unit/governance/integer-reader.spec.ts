// The bulk tally loader reads members, votes and delegations as lists of numbers in decimal text
// (src/proposals/tally-loader.ts).
import fc from 'fast-check';
import { IntegerReader } from '../../../src/proposals/tally-loader';

const all = (text: string) => {
  const out: number[] = [];
  for (const r = new IntegerReader(text); !r.done; ) out.push(r.next());
  return out;
};

describe('IntegerReader', () => {
  it('reads nothing from an empty aggregate', () => {
    expect(all('')).toEqual([]);
    expect(() => new IntegerReader('').next()).toThrow(SyntaxError);
  });

  it('reads single items, lists and pairs, with -1 for a delegate without a number', () => {
    expect(all('0')).toEqual([0]);
    expect(all('7,-1,1000000,2147483647')).toEqual([7, -1, 1_000_000, 2_147_483_647]);
    expect(all('3:-1,4:0')).toEqual([3, -1, 4, 0]);
  });

  it('round-trips any list of int4 values, as PostgreSQL writes them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }), { minLength: 1, maxLength: 200 }), fc.boolean(), (values, pairs) => {
        const text = values.map((v, k) => `${v}${k === values.length - 1 ? '' : pairs && k % 2 === 0 ? ':' : ','}`).join('');
        expect(all(text)).toEqual(values);
      }),
    );
  });

  it.each([['1,,2'], [','], ['1,'], ['1:'], ['-'], ['1-2'], ['--1'], ['a'], ['1 2'], ['12345678901']])('refuses %j', (text) => {
    expect(() => all(text)).toThrow(SyntaxError);
  });
});
