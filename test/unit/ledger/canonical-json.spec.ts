import fc from 'fast-check';
import vectors from '../../fixtures/vectors/rfc8785.json';
import { isCanonicalBase64url } from '../../../src/core/crypto/crypto';
import {
  base64url,
  canonicalJson,
  formatTimestamp,
  fromBase64url,
  parseCanonicalJson,
  parseTimestamp,
} from '../../../src/core/formats/canonical-json';

const utf8 = (s: string) => new TextEncoder().encode(s);
const parse = (s: string) => parseCanonicalJson(utf8(s));

describe('canonicalJson / parseCanonicalJson: RFC 8785 vectors', () => {
  it.each(vectors.cases)('$name: serializes to the canonical form', ({ input, canonical }) => {
    expect(canonicalJson(JSON.parse(input))).toBe(canonical);
  });

  it.each(vectors.cases)('$name: accepts the canonical bytes and refuses the input form', ({ input, canonical }) => {
    const ok = parse(canonical);
    expect(ok).toEqual({ ok: true, value: JSON.parse(input) });
    expect(parse(input)).toEqual({ ok: false, reason: 'NOT_CANONICAL' });
  });
});

describe('parseCanonicalJson', () => {
  it.each([
    ['duplicate keys', '{"a":1,"a":1}'],
    ['duplicate keys, last one kept by JSON.parse', '{"a":2,"a":1}'],
    ['whitespace', '{"a": 1}'],
    ['trailing newline', '{"a":1}\n'],
    ['key order', '{"b":1,"a":2}'],
    ['number form 1.0', '[1.0]'],
    ['number form 1e2', '[1e2]'],
    ['negative zero', '[-0]'],
    ['unnecessary escape', '["\\u0041"]'],
    ['escaped slash', '["\\/"]'],
    ['upper-case escape', '["\\u001F"]'],
    ['lone surrogate escape (not I-JSON)', '["\\ud800"]'],
    ['number beyond double range', '[1e400]'],
    ['integer beyond 2^53 that rounds', '[9007199254740993]'],
  ])('refuses %s as NOT_CANONICAL', (_name, text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'NOT_CANONICAL' });
  });

  it.each([
    ['empty input', ''],
    ['truncated', '{"a":1'],
    ['trailing comma', '[1,]'],
    ['single quotes', "{'a':1}"],
  ])('refuses %s as NOT_JSON', (_name, text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'NOT_JSON' });
  });

  it('refuses a byte order mark', () => {
    expect(parseCanonicalJson(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{}')]))).toEqual({ ok: false, reason: 'NOT_JSON' });
  });

  it.each([
    ['a stray continuation byte', [0x22, 0x80, 0x22]],
    ['an overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
    ['an encoded surrogate (CESU-8)', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['a truncated sequence', [0x22, 0xe2, 0x82, 0x22]],
    ['0xFF', [0x22, 0xff, 0x22]],
  ])('refuses %s as NOT_UTF8', (_name, bytes) => {
    expect(parseCanonicalJson(new Uint8Array(bytes))).toEqual({ ok: false, reason: 'NOT_UTF8' });
  });

  it('accepts non-ASCII text written raw, as JCS requires', () => {
    expect(parse('{"name":"Élise €😀","n":-1.5}')).toEqual({ ok: false, reason: 'NOT_CANONICAL' }); // key order
    expect(parse('{"n":-1.5,"name":"Élise €😀"}')).toEqual({ ok: true, value: { n: -1.5, name: 'Élise €😀' } });
    expect(parse('"\\u00e9"')).toEqual({ ok: false, reason: 'NOT_CANONICAL' });
  });

  it('round-trips any JSON value through its canonical form', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), (value) => {
        const text = canonicalJson(value);
        const back = parse(text);
        expect(back.ok).toBe(true);
        if (back.ok) expect(canonicalJson(back.value)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any non-canonical pretty-printing of an object with members', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (value) => {
        expect(parse(JSON.stringify(value, null, 1))).toEqual({ ok: false, reason: 'NOT_CANONICAL' });
      }),
      { numRuns: 100 },
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units and omits undefined members', () => {
    expect(canonicalJson({ b: 1, a: undefined, '\u20ac': 1, '\ud83d\ude00': 2, c: [true, null] })).toBe(
      '{"b":1,"c":[true,null],"\u20ac":1,"\ud83d\ude00":2}',
    );
    expect(canonicalJson(-0)).toBe('0');
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a bigint', BigInt(1)],
    ['NaN', NaN],
    ['Infinity', [Infinity]],
    ['a Date', new Date(0)],
    ['a nested function', { a: { b: () => 1 } }],
    ['undefined in an array', [undefined]],
    ['a lone surrogate', { a: '\ud800' }],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['a symbol', { a: Symbol('x') }],
  ])('throws on %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});

describe('base64url', () => {
  it('round-trips any bytes, without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const s = base64url(bytes);
        expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64url(s)).toEqual(bytes);
      }),
    );
    expect(fromBase64url('')).toEqual(new Uint8Array());
    expect(fromBase64url('_-8')).toEqual(new Uint8Array([0xff, 0xef]));
  });

  it.each([
    ['padding', 'AA=='],
    ['one padding character', 'AAA='],
    ['standard alphabet +', 'a+b_'],
    ['standard alphabet /', 'a/b_'],
    ['whitespace', 'AA AA'],
    ['a newline', 'AAAA\n'],
    ['an impossible length', 'AAAAA'],
    ['non-zero trailing bits (1 byte)', 'AB'],
    ['non-zero trailing bits (2 bytes)', 'AAB'],
    ['a non-ASCII letter', 'AAé'],
  ])('returns null on %s', (_name, s) => {
    expect(fromBase64url(s)).toBeNull();
  });

  it('accepts exactly the strings that decode and re-encode to themselves (the check decodes nothing)', () => {
    const digit = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''), '=', '+', '/', ' ');
    fc.assert(
      fc.property(fc.array(digit, { maxLength: 14 }), (digits) => {
        const s = digits.join('');
        const decoded = /^[A-Za-z0-9_-]*$/.test(s) ? Buffer.from(s, 'base64url') : null;
        const roundTrips = decoded !== null && decoded.toString('base64url') === s;
        expect(isCanonicalBase64url(s)).toBe(roundTrips);
        expect(fromBase64url(s) !== null).toBe(roundTrips);
      }),
      { numRuns: 3000 },
    );
  });

  it('returns plain Uint8Arrays, not views into a shared pool', () => {
    const b = fromBase64url('AQID') as Uint8Array;
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(3);
  });
});

describe('timestamps', () => {
  it('formats exactly YYYY-MM-DDTHH:MM:SS.sssZ', () => {
    expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatTimestamp(Date.UTC(2026, 1, 28, 23, 59, 59, 7))).toBe('2026-02-28T23:59:59.007Z');
    expect(formatTimestamp(-1)).toBe('1969-12-31T23:59:59.999Z');
  });

  it('round-trips every instant of years 0000 to 9999', () => {
    const min = Date.parse('0000-01-01T00:00:00.000Z');
    const max = Date.parse('9999-12-31T23:59:59.999Z');
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        expect(parseTimestamp(formatTimestamp(ms))).toBe(ms);
      }),
    );
  });

  it.each([1.5, NaN, Infinity, 8.64e15 + 1, Date.parse('9999-12-31T23:59:59.999Z') + 1, Date.parse('0000-01-01T00:00:00.000Z') - 1])(
    'refuses to format %p',
    (ms) => {
      expect(() => formatTimestamp(ms)).toThrow(RangeError);
    },
  );

  it('parses leap days that exist', () => {
    expect(parseTimestamp('2024-02-29T12:00:00.000Z')).toBe(Date.UTC(2024, 1, 29, 12));
    expect(parseTimestamp('2000-02-29T00:00:00.000Z')).toBe(Date.UTC(2000, 1, 29));
  });

  it.each([
    '2026-02-30T00:00:00.000Z',
    '2026-02-29T00:00:00.000Z',
    '1900-02-29T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-00-10T00:00:00.000Z',
    '2026-01-00T00:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T23:60:00.000Z',
    '2026-12-31T23:59:60.000Z',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.0Z',
    '2026-01-01T00:00:00.0000Z',
    '2026-01-01T00:00:00.000z',
    '2026-01-01t00:00:00.000Z',
    '2026-01-01 00:00:00.000Z',
    '2026-01-01T00:00:00.000+00:00',
    '2026-01-01T00:00:00.000',
    ' 2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00.000Z\n',
    '+002026-01-01T00:00:00.000Z',
    '2026-1-01T00:00:00.000Z',
    '２026-01-01T00:00:00.000Z',
    '',
  ])('refuses %p', (s) => {
    expect(parseTimestamp(s)).toBeNull();
  });
});
