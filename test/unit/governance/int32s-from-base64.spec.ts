// The bulk tally loader reads members, votes and delegations as lists of big-endian int32s
// (int4send) in base64, as PostgreSQL's encode(…, 'base64') writes them
// (src/proposals/tally-loader.ts).
import fc from 'fast-check';
import { int32sFromBase64 } from '../../../src/proposals/tally-loader';

/** What PostgreSQL sends: int4send of each value, concatenated, base64 with a line break every 76 characters. */
function asPostgresWrites(values: number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, k) => bytes.writeInt32BE(v, k * 4));
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\n');
}

describe('int32sFromBase64', () => {
  it('reads nothing from an aggregate over no rows (NULL) or an empty one', () => {
    expect([...int32sFromBase64(null)]).toEqual([]);
    expect([...int32sFromBase64('')]).toEqual([]);
  });

  it('reads single items, lists and pairs, with -1 for a delegate without a number', () => {
    expect([...int32sFromBase64('AAAAAA==')]).toEqual([0]);
    expect([...int32sFromBase64(asPostgresWrites([7, -1, 1_000_000, 2_147_483_647]))]).toEqual([7, -1, 1_000_000, 2_147_483_647]);
    // encode(int4send(3) || int4send(-1), 'base64') in PostgreSQL
    expect([...int32sFromBase64('AAAAA/////8=')]).toEqual([3, -1]);
  });

  it('round-trips any list of int4 values, line breaks included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }), { maxLength: 300 }), (values) => {
        expect([...int32sFromBase64(asPostgresWrites(values))]).toEqual(values);
      }),
    );
  });

  it.each([['AAAA'], ['AAAAAAA='], ['AQ==']])('refuses %j, not a whole number of int32s', (text) => {
    expect(() => int32sFromBase64(text)).toThrow(SyntaxError);
  });
});
