// The hash table that numbers eligible ids inside aggregated texts (src/proposals/member-index.ts).
import fc from 'fast-check';
import { DEFAULT_PARAMS } from '../../../src/proposals/domain/params';
import { tallyArrays } from '../../../src/proposals/domain/tally';
import { MemberIndex, countLines } from '../../../src/proposals/member-index';

const lookup = (index: MemberIndex, id: string) => index.indexOf(`x\n${id}\ny`, 2, 2 + id.length);

describe('countLines', () => {
  it('counts the lines of a newline-separated list', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\nbb\nc')).toBe(3);
  });
});

describe('MemberIndex', () => {
  it('numbers distinct ids in first-seen order across texts, once each', () => {
    const index = new MemberIndex(6);
    index.addLines('b\na\nb');
    index.addLines('');
    index.addLines('c\na\nYv-1_');
    expect(index.length).toBe(4);
    expect([0, 1, 2, 3].map((i) => index.at(i))).toEqual(['b', 'a', 'c', 'Yv-1_']);
    expect(lookup(index, 'a')).toBe(1);
    expect(lookup(index, 'Yv-1_')).toBe(3);
    expect(lookup(index, 'Yv-1')).toBe(-1);
    expect(lookup(index, 'A')).toBe(-1);
    expect(lookup(index, '')).toBe(-1);
  });

  it('answers at() with undefined outside 0..length-1', () => {
    const index = new MemberIndex(2);
    index.addLines('p\nq');
    expect([index.at(-1), index.at(2), index.at(0.5)]).toEqual([undefined, undefined, undefined]);
  });

  it('refuses more distinct ids than its capacity', () => {
    const index = new MemberIndex(2);
    expect(() => index.addLines('a\nb\nc')).toThrow(RangeError);
  });

  it('tells apart ids that share their first and last 8 units and length', () => {
    const ids = Array.from({ length: 300 }, (_, k) => `AAAAAAAA${String(k).padStart(5, '0')}ZZZZZZZZ`);
    const index = new MemberIndex(ids.length);
    index.addLines(ids.join('\n'));
    expect(index.length).toBe(300);
    ids.forEach((id, k) => expect(lookup(index, id)).toBe(k));
  });

  it('agrees with a Map on any lists of ids (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(fc.array(id, { maxLength: 30 }), { maxLength: 4 }), fc.array(id, { maxLength: 30 }), (texts, probes) => {
        const all = texts.flat();
        const index = new MemberIndex(all.length);
        for (const t of texts) index.addLines(t.join('\n'));
        const expected = new Map<string, number>();
        for (const m of all) if (!expected.has(m)) expected.set(m, expected.size);
        expect(index.length).toBe(expected.size);
        for (const [m, i] of expected) {
          expect(index.at(i)).toBe(m);
          expect(lookup(index, m)).toBe(i);
        }
        for (const p of probes) expect(lookup(index, p)).toBe(expected.get(p) ?? -1);
      }),
    );
  });
});

describe('tallyArrays with a member lookup', () => {
  const base = { proposal: 'p', kind: 'motion' as const, regime: 'amendment' as const, params: { ...DEFAULT_PARAMS } };
  // 0 votes yes; 1 → 0; 2 → 3 → 2 is a cycle; 4 absent.
  const choice = Int8Array.from([0, -1, -1, -1, -1]);
  const delegate = Int32Array.from([-1, 0, 3, 2, -1]);

  it('asks only for the ids of members in cycles', () => {
    const asked: number[] = [];
    const ids = ['e', 'd', 'c', 'b', 'a'];
    const members = { length: 5, at: (i: number) => (asked.push(i), ids[i]) };
    const body = tallyArrays({ ...base, members, choice, delegate });
    expect(asked.sort()).toEqual([2, 3]);
    expect(body.lost).toEqual({ weight: 2, cycles: [['b', 'c']] });
    expect(body).toEqual(tallyArrays({ ...base, members: ids, choice, delegate }));
  });

  it('refuses a lookup without the id of a cycle member', () => {
    const members = { length: 5, at: () => undefined };
    expect(() => tallyArrays({ ...base, members, choice, delegate })).toThrow(RangeError);
  });
});
