// SPEC §4, §5.3: no body member the SPEC does not name is ever accepted, at any depth, whatever its
// name; parameters are the seven names only, each an exact decimal or fraction; a member's topic is
// an optional string (only the instance's ratification motions carry null).
import fc from 'fast-check';
import { parseCanonicalJson } from '../../../src/core/formats/canonical-json';
import { BODY_SCHEMAS, STATEMENT_TYPES, validatePayload } from '../../../src/core/formats/statement-types';
import { validateParams } from '../../../src/core/governance/params';
import { payloadOf, SAMPLE_BODIES, SAMPLE_PROPOSALS } from './samples';

const HOSTILE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'extra', 'Circle', '', ' name', 'name '];

/** Every object inside `value`, with its path. */
function objectsIn(value: unknown, path: string[] = []): Array<{ path: string[]; object: Record<string, unknown> }> {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => objectsIn(v, [...path, String(i)]));
  const object = value as Record<string, unknown>;
  return [{ path, object }, ...Object.entries(object).flatMap(([k, v]) => objectsIn(v, [...path, k]))];
}

/** A copy of `payload` with a member `name` added to the object at `path`. */
function withMember(payload: unknown, path: string[], name: string): unknown {
  const copy = JSON.parse(JSON.stringify(payload));
  let target = copy;
  for (const p of path) target = target[p];
  // defineProperty: an own data property, as JSON.parse makes for "__proto__" too
  Object.defineProperty(target, name, { value: { unanimityQuorum: 0 }, enumerable: true, configurable: true, writable: true });
  return copy;
}

const bodies: Array<[string, unknown]> = [
  ...Object.entries(SAMPLE_BODIES).map(([type, body]) => [type, body] as [string, unknown]),
  ...SAMPLE_PROPOSALS.map((body) => ['proposal.open', body] as [string, unknown]),
];

describe('every body schema refuses every member the SPEC does not name', () => {
  it.each(bodies)('%s: an extra member at every depth of the body is refused', (type, body) => {
    const payload = payloadOf(type as never, body as never);
    const signer = type === 'proposal.open' || !['tally.result', 'child.decision', 'circle.split', 'circle.forked', 'regime.changed', 'child.created'].includes(type) ? 'member' : 'system';
    expect(validatePayload(payload, signer).ok).toBe(true);
    for (const { path } of objectsIn((payload as { body: unknown }).body, ['body'])) {
      for (const name of HOSTILE_NAMES) {
        const result = validatePayload(withMember(payload, path, name), signer);
        expect({ path: path.join('.'), name, ok: result.ok }).toEqual({ path: path.join('.'), name, ok: false });
      }
    }
  });

  it('covers every statement type', () => {
    expect(new Set(bodies.map(([t]) => t))).toEqual(new Set(STATEMENT_TYPES));
  });

  it('a "__proto__" member parsed from JSON text never reaches a prototype', () => {
    const text =
      '{"at":"2026-12-05T10:00:00.000Z","body":{"name":"x","params":{"__proto__":{"unanimityQuorum":0}},"regime":"unanimity"},"circle":null,"id":"01JEXAMPKE0000000000000000","type":"circle.create","v":1}';
    const parsed = parseCanonicalJson(new TextEncoder().encode(text));
    expect(parsed.ok).toBe(true);
    const result = validatePayload(parsed.ok ? parsed.value : null, 'member');
    expect(result).toMatchObject({ ok: false, field: 'body.params.__proto__' });
    expect(({} as Record<string, unknown>).unanimityQuorum).toBeUndefined();
  });

  it('refuses params with any name outside the seven, and any value that is not a decimal or a fraction', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (name) => {
        fc.pre(!['unanimityQuorum', 'objectionShare', 'majorityQuorum', 'amendmentQuorum', 'amendingShare', 'splitShare', 'cursorQuorum'].includes(name));
        const body = { name: 'c', regime: 'unanimity', params: Object.defineProperty({}, name, { value: '1/2', enumerable: true }) };
        expect(BODY_SCHEMAS['circle.create'].safeParse(body).success).toBe(false);
      }),
    );
    for (const value of ['1e-1', '-1/2', '1/2 ', ' 1/2', '0x1', '½', '1/-2', '.5', '5.', '', 'NaN', -0.5, true, null, [], {}]) {
      expect(BODY_SCHEMAS['circle.create'].safeParse({ name: 'c', regime: 'unanimity', params: { splitShare: value } }).success).toBe(false);
    }
    for (const value of ['1/2', '0.25', '0', '1', 0, 1, 0.1, '00.5', '3/3']) {
      expect(BODY_SCHEMAS['circle.create'].safeParse({ name: 'c', regime: 'unanimity', params: { splitShare: value } }).success).toBe(true);
    }
  });

  it('leaves the range to the rule: a fraction above 1 or over zero is INVALID_PARAMS', () => {
    expect(validateParams({ splitShare: '3/2' })).toMatchObject({ ok: false, field: 'params.splitShare' });
    expect(validateParams({ splitShare: '1/0' })).toMatchObject({ ok: false, field: 'params.splitShare' });
    expect(validateParams({ splitShare: 1.5 })).toMatchObject({ ok: false, field: 'params.splitShare' });
  });

  it("refuses a member's proposal with topic null, and accepts the instance's ratification with it", () => {
    const body = { kind: 'motion', title: 't', text: '', topic: null, closesAt: '2026-12-31T00:00:00.000Z' };
    expect(validatePayload(payloadOf('proposal.open', body as never), 'member')).toMatchObject({ ok: false, field: 'body.topic' });
    expect(validatePayload(payloadOf('proposal.open', { ...body, topic: 'roads' } as never), 'member').ok).toBe(true);
  });
});
