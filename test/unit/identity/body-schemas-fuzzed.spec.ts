// The fuzz campaign's checks, against the body schemas directly (no HTTP): every schema refuses
// every member the SPEC does not name (any name, any depth), every missing member the SPEC
// requires, every wrong type; parameters are accepted exactly when they are ratios in [0, 1]; and
// nothing parsed from JSON text ever reaches a prototype.
import fc from 'fast-check';
import { canonicalJson, parseCanonicalJson } from '../../../src/core/formats/canonical-json';
import { validatePayload } from '../../../src/core/formats/statement-types';
import { validateParams } from '../../../src/core/governance/params';
import { parseRatio } from '../../../src/core/governance/fraction';
import { payloadOf, SAMPLE_BODIES, SAMPLE_PROPOSALS } from './samples';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const SYSTEM = new Set(['tally.result', 'child.decision', 'circle.split', 'circle.forked', 'regime.changed', 'child.created']);
/** Members SPEC §4 marks optional (`?`), and the parameters (each optional over the defaults) — except in a tally.result. */
const OPTIONAL = new Set(['topic', 'doer', 'ratify', 'reason', 'parent', 'void']);
const PARAM_NAMES = ['unanimityQuorum', 'objectionShare', 'majorityQuorum', 'amendmentQuorum', 'amendingShare', 'splitShare', 'cursorQuorum'];

const samples: Array<[string, Json]> = [
  ...Object.entries(SAMPLE_BODIES).map(([type, body]) => [type, body as unknown as Json] as [string, Json]),
  ...SAMPLE_PROPOSALS.map((body) => ['proposal.open', body as unknown as Json] as [string, Json]),
];

function signerOf(type: string, body: Json): 'member' | 'system' {
  if (type === 'proposal.open') return (body as { ratifies?: unknown }).ratifies !== undefined ? 'system' : 'member';
  return SYSTEM.has(type) ? 'system' : 'member';
}

function paths(value: Json, path: string[] = []): { objects: string[][]; members: string[][] } {
  const out = { objects: [] as string[][], members: [] as string[][] };
  if (value === null || typeof value !== 'object') return out;
  if (!Array.isArray(value)) out.objects.push(path);
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(value)) out.members.push([...path, k]);
    const inner = paths(v, [...path, k]);
    out.objects.push(...inner.objects);
    out.members.push(...inner.members);
  }
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function at(root: Json, path: string[]): Json {
  return path.reduce<Json>((node, k) => (node as Record<string, Json>)[k], root);
}

function setOwn(obj: Json, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const keyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineSetter__', 'toJSON', 'then', '', '\u0000', 'é', 'e\u0301'),
  fc.string({ unit: 'binary', maxLength: 16 }),
);

describe.each(samples)('%s body, fuzzed', (type, body) => {
  const signer = signerOf(type, body);
  const payload = payloadOf(type as never, body as never) as unknown as Json;
  const { objects, members } = paths(body);

  it('is valid as sampled', () => {
    expect(validatePayload(payload, signer).ok).toBe(true);
  });

  it('refuses any extra member at any depth, whatever its name and value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...objects), keyArb, fc.jsonValue({ maxDepth: 2 }), (path, key, value) => {
        const target = at(body, path) as Record<string, Json>;
        fc.pre(!Object.hasOwn(target, key) && !OPTIONAL.has(key) && !(path[path.length - 1] === 'params' && PARAM_NAMES.includes(key)));
        const copy = clone(payload);
        setOwn(at(copy, ['body', ...path]), key, value as Json);
        expect(validatePayload(copy, signer).ok).toBe(false);
        // a parsed copy of the same text is refused too: JSON.parse makes "__proto__" an own member
        const parsed = parseCanonicalJson(new TextEncoder().encode(canonicalJson(copy)));
        expect(parsed.ok && validatePayload(parsed.value, signer).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  const required = members.filter((p) => {
    const last = p[p.length - 1];
    if (OPTIONAL.has(last)) return false;
    if (p[p.length - 2] === 'params') return type === 'tally.result';
    if (last === 'params' && type === 'circle.create') return false;
    // elements of arrays are not members
    return !/^\d+$/.test(last);
  });

  if (required.length > 0) {
    it.each(required.map((p) => [p.join('.')]))('refuses the body without %s', (dotted) => {
      const path = dotted.split('.');
      const copy = clone(payload);
      delete (at(copy, ['body', ...path.slice(0, -1)]) as Record<string, Json>)[path[path.length - 1]];
      expect(validatePayload(copy, signer).ok).toBe(false);
    });
  }

  it('refuses a value of another JSON type for any member', () => {
    const others: Record<string, Json[]> = { null: [null], boolean: [true], number: [0, -1, 1e308, 2 ** 60], string: ['', 'x'], array: [[], [1]], object: [{}] };
    const kind = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    for (const path of members.filter((p) => !/^\d+$/.test(p[p.length - 1]))) {
      const old = at(body, path);
      const isParam = path[path.length - 2] === 'params';
      for (const [k, values] of Object.entries(others)) {
        if (k === kind(old) || (isParam && (k === 'number' || k === 'string'))) continue;
        // `ratify` and `ratifies` are optional, `seen`-like nulls are not members: any other type is wrong
        for (const v of values) {
          const copy = clone(payload);
          setOwn(at(copy, ['body', ...path.slice(0, -1)]), path[path.length - 1], v);
          expect({ path: path.join('.'), v, ok: validatePayload(copy, signer).ok }).toEqual({ path: path.join('.'), v, ok: false });
        }
      }
    }
  });
});

describe('parameters are accepted exactly when they are ratios in [0, 1], in every form', () => {
  const accepts = (value: Json) => {
    const body = { name: 'c', regime: 'unanimity', params: { splitShare: value } };
    const shape = validatePayload(payloadOf('circle.create', body as never), 'member').ok;
    return shape && validateParams(body.params).ok;
  };

  it('a fraction "a/b"', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 0n, max: 10n ** 20n }), (a, b) => {
        expect(accepts(`${a}/${b}`)).toBe(b > 0n && a <= b);
      }),
    );
  });

  it('a decimal string "i.f"', () => {
    fc.assert(
      fc.property(fc.nat(3), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 30 }), (i, f) => {
        const value = `${i}.${f}`;
        expect(accepts(value)).toBe(i === 0 || (i === 1 && /^0+$/.test(f)));
      }),
    );
  });

  it('a JSON number: exactly the decimal it is written as', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -2, max: 2 }), (n) => {
        fc.pre(!Object.is(n, -0));
        expect(accepts(n)).toBe(n >= 0 && n <= 1);
        if (n >= 0 && n <= 1) {
          // the shortest decimal form of n, read exactly (0.1 is 1/10, never the binary float)
          const r = parseRatio(n);
          const text = String(n);
          const [mant, exp = '0'] = text.split('e');
          const [int, frac = ''] = mant.split('.');
          const shift = Number(exp) - frac.length;
          const num = BigInt(int + frac) * (shift > 0 ? 10n ** BigInt(shift) : 1n);
          const den = shift < 0 ? 10n ** BigInt(-shift) : 1n;
          expect(r !== null && r.num * den === num * r.den).toBe(true);
        }
      }),
    );
  });

  it('anything else, never', () => {
    for (const v of ['', ' ', '1/2 ', '+1/2', '-0', '-0/1', '1/-1', '0x1', '1e-1', '1E0', '.5', '5.', '1..0', '1/2/3', '½', '١/٢', 'NaN', 'Infinity', '0.5\n', true, false, null, [], {}, [0.5], { n: 1 }] as Json[]) {
      expect({ v, ok: accepts(v) }).toEqual({ v, ok: false });
    }
    // the string form is bounded too
    expect(accepts(`1/${'1'.repeat(70)}`)).toBe(false);
  });
});

describe('nothing parsed reaches a prototype', () => {
  it('JSON text with "__proto__", "constructor" and "prototype" members leaves every prototype alone', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const text = `{"${key}":{"polluted":1,"unanimityQuorum":0}}`;
      const parsed = parseCanonicalJson(new TextEncoder().encode(text));
      expect(parsed.ok).toBe(true);
      const value = (parsed as { value: object }).value;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, key)).toBe(true);
      expect(validateParams(value)).toMatchObject({ ok: false, field: `params.${key}` });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).unanimityQuorum).toBeUndefined();
  });

  it('validated params are a plain object holding only the names given', () => {
    const result = validateParams(JSON.parse('{"splitShare":"1/2"}'));
    expect(result.ok).toBe(true);
    const params = (result as { params: object }).params;
    expect(Object.keys(params)).toEqual(['splitShare']);
    expect((params as Record<string, unknown>).unanimityQuorum).toBeUndefined();
  });
});
