// The verifier's fast path (BatchInspector on the worker side, LogVerifier.acceptBatch
// on the ordered side) reaches exactly what the reference path reaches:
// for every line, what inspectLine returns; for every log, the verdict of push.
import fc from 'fast-check';
import { fromBase64url, formatTimestamp, parseCanonicalJson, parseTimestamp } from '../../../src/core/formats/canonical-json';
import {
  BatchInspector,
  InspectContext,
  InspectedBatch,
  InspectedEntry,
  inspectLine,
  instanceFromNoteKey,
  isCanonicalBase64urlSpan,
  isSimpleCanonicalJson,
  isTimestampAt,
  keyLookup,
  LogSummary,
  LogVerifier,
  registryKeys,
  VerificationFailure,
} from '../../../src/core/verify/verify-log';
import { buildWorld, chain, entryOf, lineOf, rechain } from './log-builder';

const world = buildWorld();
const instance = instanceFromNoteKey(world.instance.noteKey);
const members = registryKeys(world.registry);
const kids = [instance.kid, ...members.keys()];
const ctx: InspectContext = { circle: world.circle, keys: keyLookup(members, instance), instanceKid: instance.kid };
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

function batchOf(lines: (string | Uint8Array)[]): Uint8Array {
  const parts = lines.map((l) => (typeof l === 'string' ? Buffer.from(l, 'utf8') : Buffer.from(l)));
  return new Uint8Array(Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])));
}

/** Line i of a batch, as the InspectedEntry the ordered half sees (what acceptBatch rebuilds). */
function expand(batch: InspectedBatch): InspectedEntry[] {
  const meta = Buffer.from(batch.meta).toString('latin1');
  const others = new Map(batch.others);
  return Array.from({ length: batch.n }, (_, i) => {
    const leaf = batch.leaves.slice(32 * i, 32 * i + 32);
    const kidIndex = batch.info[2 * i + 1];
    if (kidIndex < 0) {
      const r = others.get(i) as InspectedEntry;
      return { ...r, leaf: r.head === null ? null : leaf };
    }
    return {
      head: {
        circle: batch.circle,
        seq: batch.info[2 * i],
        prev: Buffer.from(batch.prevs.subarray(32 * i, 32 * i + 32)).toString('base64url'),
        recordedAt: meta.slice(50 * i, 50 * i + 24),
      },
      leaf,
      problem: null,
      kid: kids[kidIndex],
      id: meta.slice(50 * i + 24, 50 * i + 50),
    };
  });
}

const reference = (line: string | Uint8Array): InspectedEntry => {
  const r = inspectLine(line, ctx);
  return { ...r, leaf: r.leaf === null ? null : Uint8Array.from(r.leaf) };
};

describe('BatchInspector agrees with inspectLine', () => {
  it('on every line of a valid log, taking the fast path for all but the genesis', () => {
    const batch = new BatchInspector(ctx, kids).inspect(batchOf(world.log));
    expect(batch.n).toBe(world.log.length);
    expect(batch.others.map(([i]) => i)).toEqual([0]);
    expect(expand(batch)).toEqual(world.log.map(reference));
  });

  it('on lines with one byte changed, removed or inserted anywhere', () => {
    const inspector = new BatchInspector(ctx, kids);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: world.log.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('replace', 'delete', 'insert'),
        (line, position, byte, how) => {
          const bytes = Buffer.from(world.log[line], 'utf8');
          const p = position % bytes.length;
          let tampered: Buffer;
          if (how === 'replace') {
            tampered = Buffer.from(bytes);
            tampered[p] = byte;
          } else if (how === 'delete') {
            tampered = Buffer.concat([bytes.subarray(0, p), bytes.subarray(p + 1)]);
          } else {
            tampered = Buffer.concat([bytes.subarray(0, p), Buffer.from([byte]), bytes.subarray(p)]);
          }
          if (tampered.includes(0x0a)) return; // a newline makes two lines: covered by the log tests
          // The tampered line between two valid ones: the in-place leaf hashing must not leak between lines.
          const lines = [world.log[line - 1], tampered, world.log[line]];
          const batch = inspector.inspect(batchOf(lines));
          expect(expand(batch)).toEqual(lines.map(reference));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('on entries the instance re-chained or re-signed', () => {
    const payload = JSON.parse(Buffer.from(entryOf(world.log[8]).jws.split('.')[1], 'base64url').toString());
    const variants: string[] = [
      lineOf({ ...entryOf(world.log[8]), jws: world.stranger.signPayload(payload) }).line,
      lineOf({ ...entryOf(world.log[8]), jws: world.instance.signer.signPayload(payload) }).line,
      lineOf({ ...entryOf(world.log[11]), jws: world.members[1].signPayload(JSON.parse(Buffer.from(entryOf(world.log[11]).jws.split('.')[1], 'base64url').toString())) }).line,
      lineOf({ ...entryOf(world.log[3]), circle: 'AAAAAAAAAAAAAAAAAAAAAQ' }).line,
      lineOf({ ...entryOf(world.log[3]), seq: 0, prev: null }).line,
      world.log[3].replace('"seq":3', '"seq":03'),
      world.log[3].replace('"seq":3', '"seq":3.0'),
      lineOf({ ...entryOf(world.log[3]), recordedAt: '2026-02-28T00:00:00.000Z' }).line.replace('2026-02-28', '2026-02-30'),
      lineOf({ ...entryOf(world.log[3]), recordedAt: '2028-02-29T00:00:00.000Z' }).line,
      world.log[4].replace('"v":1}', '"v":1} '),
      world.log[4].replace('{"circle"', '{ "circle"'),
      `${world.log[4]}\r`,
      world.registry[1],
      '',
      'null',
    ];
    const batch = new BatchInspector(ctx, kids).inspect(batchOf(variants));
    expect(expand(batch)).toEqual(variants.map(reference));
  });

  it('leaves other logs and other key types to inspectLine', () => {
    const registryCtx: InspectContext = { circle: 'registry', keys: () => undefined, instanceKid: instance.kid };
    const batch = new BatchInspector(registryCtx, []).inspect(batchOf(world.registry));
    expect(batch.others).toHaveLength(world.registry.length);
  });
});

describe('LogVerifier.acceptBatch reaches the verdicts of push', () => {
  type Verdict = { ok: true; summary: LogSummary } | { ok: false; seq: number; code: string; reason: string };
  const run = (f: (v: LogVerifier) => void, rootsAt: number[]): Verdict => {
    const v = new LogVerifier({ circle: world.circle, keys: ctx.keys, instanceKid: instance.kid, rootsAt });
    try {
      f(v);
      return { ok: true, summary: v.finish() };
    } catch (e) {
      if (!(e instanceof VerificationFailure)) throw e;
      return { ok: false, seq: e.seq, code: e.code, reason: e.reason };
    }
  };
  const serial = (lines: string[], rootsAt: number[] = []): Verdict => run((v) => lines.forEach((l) => v.push(l)), rootsAt);
  const batched = (lines: string[], size: number, rootsAt: number[] = []): Verdict => {
    const inspector = new BatchInspector(ctx, kids);
    return run((v) => {
      for (let i = 0; i < lines.length; i += size) v.acceptBatch(inspector.inspect(batchOf(lines.slice(i, i + size))), kids);
    }, rootsAt);
  };

  const swapped = (): string[] => {
    const s = world.log.slice();
    [s[6], s[7]] = [s[7], s[6]];
    return s;
  };
  const cases: [string, () => string[]][] = [
    ['the valid log', () => world.log],
    ['a dropped entry', () => world.log.filter((_, i) => i !== 4)],
    ['a dropped entry, re-chained', () => rechain(world.log.filter((_, i) => i !== 4), 4)],
    ['two swapped entries', swapped],
    ['two swapped entries, re-chained', () => rechain(swapped(), 6)],
    ['a replayed statement', () => rechain(world.log.map((l, i) => (i === 9 ? lineOf({ ...entryOf(l), jws: entryOf(world.log[8]).jws }).line : l)), 10)],
    [
      'recordedAt going back in time',
      () => rechain(world.log.map((l, i) => (i === 7 ? lineOf({ ...entryOf(l), recordedAt: entryOf(world.log[2]).recordedAt }).line : l)), 8),
    ],
    ['the log repeated after itself', () => [...world.log, ...world.log.slice(1)]],
    ['a log without its genesis', () => chain(world.circle, world.statements.slice(1))],
  ];

  it.each(cases)('%s', (_name, build) => {
    const lines = build();
    const expected = serial(lines, [3, 7]);
    for (const size of [1, 2, 5, 100]) expect(batched(lines, size, [3, 7])).toEqual(expected);
  });
});

describe('the fast checks accept nothing the reference checks refuse', () => {
  it('timestamps: exactly what parseTimestamp accepts, on real instants and on near misses', () => {
    const digits = fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/);
    const instants = fc.integer({ min: Date.parse('0000-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }).map(formatTimestamp);
    const near = instants.chain((s) => fc.tuple(fc.nat(23), fc.integer({ min: 0x20, max: 0x7e })).map(([i, c]) => s.slice(0, i) + String.fromCharCode(c) + s.slice(i + 1)));
    fc.assert(
      fc.property(fc.oneof(digits, instants, near), (s) => {
        expect(isTimestampAt(ascii(s), 0)).toBe(parseTimestamp(s) !== null);
      }),
      { numRuns: 20_000 },
    );
    for (const s of ['2024-02-29T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '1900-02-29T00:00:00.000Z', '0000-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-12-31T23:59:60.000Z']) {
      expect(isTimestampAt(ascii(s), 0)).toBe(parseTimestamp(s) !== null);
    }
  });

  it('base64url: exactly what fromBase64url accepts, on strings of the alphabet', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 90 }), (chars) => {
        const s = chars.join('');
        expect(isCanonicalBase64urlSpan(ascii(s), 0, s.length)).toBe(fromBase64url(s) !== null);
      }),
      { numRuns: 20_000 },
    );
  });

  it('JSON: canonical whenever the scanner says so, and the scanner says so for canonical statement-like payloads', () => {
    const key = fc.string({ unit: fc.constantFrom(...'abcvxyz_AZ09 -'.split('')), maxLength: 4 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x5c).map((c) => String.fromCharCode(c)), maxLength: 6 }),
        fc.integer({ min: -1e15 + 1, max: 1e15 - 1 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const canonical = json.map((v) => JSON.stringify(sortKeys(v)));
    // Mutations of canonical texts: reordered, respaced, re-spelled numbers and strings, duplicated keys…
    const mutated = fc.tuple(canonical, fc.nat(), fc.constantFrom(' ', '0', '-', '.', 'e', '"', '\\', ',', ':', '{', '}', '[', ']', 'é', '\u007f', '1')).map(([t, p, c]) => {
      const i = t.length === 0 ? 0 : p % t.length;
      return p % 2 === 0 ? t.slice(0, i) + c + t.slice(i) : t.slice(0, i) + c + t.slice(i + 1);
    });
    const swappedKeys = fc.constantFrom(
      '{"b":1,"a":2}',
      '{"a":1,"a":2}',
      '{"a":1,"A":2}',
      '{"ab":1,"a":2}',
      '{"a":-0}',
      '{"a":1.0}',
      '{"a":1e3}',
      '{"a":1e+21}',
      '{"a":1e21}',
      '{"a":1e400}',
      '{"a":0.1}',
      '{"a":.1}',
      '{"a":1.}',
      '{"a":0012}',
      '{"a":1234567890123456}',
      '{"a":12345678901234567890}',
      ' {}',
      '{} ',
      '{"__proto__":1}',
    );
    const numbers = fc.double({ noNaN: true }).map((d) => `[${JSON.stringify(d)}]`);
    fc.assert(
      fc.property(fc.oneof(canonical, mutated, swappedKeys, numbers), (text) => {
        const bytes = Uint8Array.from(Buffer.from(text, 'utf8'));
        if (isSimpleCanonicalJson(bytes)) expect(parseCanonicalJson(bytes).ok).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(canonical, (text) => {
        expect(isSimpleCanonicalJson(Uint8Array.from(Buffer.from(text, 'utf8')))).toBe(parseCanonicalJson(Buffer.from(text, 'utf8')).ok);
      }),
      { numRuns: 5_000 },
    );
    for (const jws of world.log.slice(1).map((l) => entryOf(l).jws)) {
      expect(isSimpleCanonicalJson(Uint8Array.from(Buffer.from(jws.split('.')[1], 'base64url')))).toBe(true);
    }
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
