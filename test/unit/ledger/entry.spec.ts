import fc from 'fast-check';
import jwsVector from '../../fixtures/vectors/rfc8037.json';
import { base64url, formatTimestamp } from '../../../src/core/formats/canonical-json';
import { LogEntry, REGISTRY_LOG, decodeEntryBytes, decodeEntryLine, encodeEntry, prevOf } from '../../../src/core/formats/entry';
import { leafHash } from '../../../src/core/formats/merkle';

const utf8 = (s: string) => new TextEncoder().encode(s);
const CIRCLE = base64url(new Uint8Array(16).fill(7)); // 22 characters
const JWS = jwsVector.jwsCompact;

const genesis: LogEntry = { v: 1, circle: CIRCLE, seq: 0, prev: null, recordedAt: '2026-03-01T10:00:00.000Z', jws: JWS };

describe('encodeEntry', () => {
  it('writes the JCS line of exactly the six members, and hashes it as a leaf', () => {
    const { line, leaf } = encodeEntry(genesis);
    expect(line).toBe(`{"circle":"${CIRCLE}","jws":"${JWS}","prev":null,"recordedAt":"2026-03-01T10:00:00.000Z","seq":0,"v":1}`);
    expect(leaf).toEqual(leafHash(utf8(line)));
  });

  it('chains entries through prev', () => {
    const first = encodeEntry(genesis);
    const next: LogEntry = { ...genesis, seq: 1, prev: prevOf(first.leaf), recordedAt: '2026-03-01T10:00:00.001Z' };
    const decoded = decodeEntryLine(encodeEntry(next).line);
    expect(decoded.ok && decoded.entry.prev).toBe(base64url(first.leaf));
  });

  it('accepts entries of the instance registry log, whose circle is "registry" (SPEC §3.8)', () => {
    const { line, leaf } = encodeEntry({ ...genesis, circle: REGISTRY_LOG });
    expect(decodeEntryLine(line)).toEqual({ ok: true, entry: { ...genesis, circle: 'registry' }, leaf });
    expect(() => encodeEntry({ ...genesis, circle: 'Registry' })).toThrow(/circle/);
  });

  it('serializes only the six members, whatever else the object carries', () => {
    const withExtra = { ...genesis, extra: 'x' } as LogEntry;
    expect(encodeEntry(withExtra).line).toBe(encodeEntry(genesis).line);
  });

  it.each([
    ['v 2', { v: 2 }],
    ['seq -1', { seq: -1 }],
    ['prev at seq 0', { prev: base64url(new Uint8Array(32)) }],
    ['no prev at seq 1', { seq: 1 }],
    ['a bad timestamp', { recordedAt: '2026-03-01T10:00:00Z' }],
    ['a bad circle id', { circle: 'circle-1' }],
  ])('throws on %s', (_name, change) => {
    expect(() => encodeEntry({ ...genesis, ...change } as LogEntry)).toThrow(/invalid log entry/);
  });
});

describe('decodeEntryLine', () => {
  const arbEntry = fc
    .record({
      seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      circle: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      prev: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      at: fc.integer({ min: 0, max: Date.parse('9999-12-31T23:59:59.999Z') }),
      header: fc.uint8Array({ minLength: 1, maxLength: 40 }),
      payload: fc.uint8Array({ minLength: 1, maxLength: 200 }),
      sig: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    })
    .map(
      (r): LogEntry => ({
        v: 1,
        circle: base64url(r.circle),
        seq: r.seq,
        prev: r.seq === 0 ? null : base64url(r.prev),
        recordedAt: formatTimestamp(r.at),
        jws: [r.header, r.payload, r.sig].map(base64url).join('.'),
      }),
    );

  it('round-trips encodeEntry, with the leaf over the line as given', () => {
    fc.assert(
      fc.property(arbEntry, (entry) => {
        const { line, leaf } = encodeEntry(entry);
        const decoded = decodeEntryLine(line);
        expect(decoded).toEqual({ ok: true, entry, leaf });
        expect(decodeEntryBytes(utf8(line))).toEqual(decoded);
      }),
      { numRuns: 200 },
    );
  });

  const good = encodeEntry({ ...genesis, seq: 5, prev: base64url(new Uint8Array(32).fill(1)) }).line;
  const replace = (from: string, to: string) => {
    expect(good).toContain(from);
    return good.replace(from, to);
  };

  it('accepts the reference line', () => {
    expect(decodeEntryLine(good).ok).toBe(true);
  });

  it.each([
    ['whitespace', 'NOT_CANONICAL', () => good.replace(',', ', ')],
    ['reordered members', 'NOT_CANONICAL', () => `{"jws":"${JWS}",${good.slice(1).replace(`"jws":"${JWS}",`, '')}`],
    ['a duplicated member', 'NOT_CANONICAL', () => good.replace('"v":1}', '"v":1,"v":1}')],
    ['seq written 5.0', 'NOT_CANONICAL', () => replace('"seq":5', '"seq":5.0')],
    ['an escaped character', 'NOT_CANONICAL', () => replace('"v":1', '"\\u0076":1')],
    ['a trailing newline', 'NOT_CANONICAL', () => `${good}\n`],
    ['a byte order mark', 'NOT_JSON', () => `\ufeff${good}`],
  ])('refuses a non-canonical line: %s (%s)', (_name, reason, make) => {
    const line = make();
    expect(line).not.toBe(good);
    expect(decodeEntryLine(line)).toEqual({ ok: false, reason });
  });

  it.each([
    ['an extra member', /exactly the members/, () => good.replace('"v":1}', '"v":1,"w":2}')],
    ['a missing member', /exactly the members/, () => good.replace(',"v":1}', '}')],
    ['v 2', /^v must be 1/, () => replace('"v":1', '"v":2')],
    ['v as a string', /^v must be 1/, () => replace('"v":1', '"v":"1"')],
    ['seq as a string', /^seq/, () => replace('"seq":5', '"seq":"5"')],
    ['a negative seq', /^seq/, () => replace('"seq":5', '"seq":-5')],
    ['a fractional seq', /^seq/, () => replace('"seq":5', '"seq":5.5')],
    ['a seq beyond 2^53', /^seq/, () => replace('"seq":5', '"seq":1e+300')],
    ['prev null after seq 0', /^prev/, () => good.replace(/"prev":"[^"]*"/, '"prev":null')],
    ['prev of 31 bytes', /^prev/, () => good.replace(/"prev":"[^"]*"/, `"prev":"${base64url(new Uint8Array(31))}"`)],
    ['prev in standard base64', /^prev/, () => good.replace(/"prev":"[^"]*"/, `"prev":"${Buffer.alloc(32, 0xff).toString('base64')}"`)],
    ['prev as a number', /^prev/, () => good.replace(/"prev":"[^"]*"/, '"prev":1')],
    ['a recordedAt without milliseconds', /^recordedAt/, () => replace('10:00:00.000Z', '10:00:00Z')],
    ['an impossible recordedAt', /^recordedAt/, () => replace('2026-03-01', '2026-02-30')],
    ['a circle that is not an id', /^circle/, () => replace(CIRCLE, 'my-circle')],
    ['a jws with two segments', /^jws/, () => replace(JWS, JWS.split('.').slice(0, 2).join('.'))],
    ['a jws with an empty payload', /^jws/, () => replace(JWS, JWS.replace(/\.[^.]+\./, '..'))],
    ['a jws with a padded segment', /^jws/, () => replace(JWS, `${JWS}==`)],
    ['a jws that is an object', /^jws/, () => replace(`"${JWS}"`, '{}')],
    ['an array', /not a JSON object/, () => '[1]'],
    ['a string', /not a JSON object/, () => '"entry"'],
    ['null', /not a JSON object/, () => 'null'],
  ])('refuses an entry with %s (%s)', (_name, reason, make) => {
    const decoded = decodeEntryLine(make());
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('refuses seq 0 with a prev', () => {
    const line = encodeEntry(genesis).line.replace('"prev":null', `"prev":"${base64url(new Uint8Array(32))}"`);
    expect(decodeEntryLine(line)).toEqual({ ok: false, reason: 'prev must be null at seq 0' });
  });

  it('refuses a line with a lone surrogate, which has no exact bytes', () => {
    expect(decodeEntryLine(good.replace(CIRCLE, '\ud800'))).toEqual({ ok: false, reason: 'NOT_UTF8' });
  });

  it('reports why it refuses', () => {
    expect(decodeEntryLine(`${good} `)).toEqual({ ok: false, reason: 'NOT_CANONICAL' });
    expect(decodeEntryLine('{')).toEqual({ ok: false, reason: 'NOT_JSON' });
    expect(decodeEntryBytes(new Uint8Array([0xff]))).toEqual({ ok: false, reason: 'NOT_UTF8' });
  });
});
