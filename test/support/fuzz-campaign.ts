// The standing fuzz campaign (docs/testing.md): statements of every member type, signed by real
// keys, with every part mutated, posted through the real HTTP API with valid statements
// interleaved. Each case knows whether it must be accepted or refused, from how it was built
// (never from the service's own validation code). `checkCampaign` then compares the logs with
// what was accepted and runs `archipel verify` on every circle.
import fc from 'fast-check';
import { canonicalJson, formatTimestamp } from '../../src/core/formats/canonical-json';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import type { StatementType } from '../../src/core/formats/statement-types';
import { ApiClient } from './client';
import { eventually } from './app';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** What is sent: a JWS in the usual request body, or a raw request body. */
export interface FuzzCase {
  kind: string;
  expect: 'accept' | 'refuse';
  jws?: string;
  rawBody?: string;
  contentType?: string;
  /** the payload id, when the case has one that could reach a log */
  id?: string;
}

export interface World {
  api: ApiClient;
  members: StatementSigner[]; // members of Y and X (0, 1, 2) and W (0)
  outsider: StatementSigner; // registered, member of nothing
  stranger: StatementSigner; // never registered
  X: string; // amendment regime
  Y: string; // unanimity regime: votes on `open`
  W: string; // regime positions only
  V: string; // the outsider's circle: none of `members` is in it
  open: string; // open motion in Y
  closed: string; // closed motion in Y
  accepted: Map<string, string>; // payload id -> jws, every statement accepted so far
  circles: Set<string>;
  createdCircles: number;
  /** each circle is verified by the CLI at the end (a second or more each): keep them few */
  maxCreatedCircles: number;
}

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function randomId16(rand: () => number): string {
  let s = '';
  for (let i = 0; i < 21; i++) s += B64[Math.floor(rand() * 64)];
  return s + 'AQgw'[Math.floor(rand() * 4)];
}

function ulid(rand: () => number, ms = Date.now()): string {
  let t = '';
  for (let i = 0, v = ms; i < 10; i++, v = Math.floor(v / 32)) t = ULID_ALPHABET[v % 32] + t;
  let r = '';
  for (let i = 0; i < 16; i++) r += ULID_ALPHABET[Math.floor(rand() * 32)];
  return t + r;
}

export async function buildWorld(url: string, maxCreatedCircles = 10): Promise<World> {
  const api = new ApiClient(url);
  const accepted = new Map<string, string>();
  const act = async (signer: StatementSigner, type: StatementType, circle: string | null, body: object) => {
    const jws = signer.sign(type as never, circle, body as never);
    const answer = await api.postJws(jws);
    if (answer.status !== 201) throw new Error(`world: ${type} refused: ${answer.text}`);
    accepted.set(payloadOf(jws).id as string, jws);
    return answer.body as { id?: string };
  };
  const members = [StatementSigner.generate(), StatementSigner.generate(), StatementSigner.generate()];
  const outsider = StatementSigner.generate();
  for (const [i, m] of [...members, outsider].entries()) await act(m, 'member.register', null, { name: `Fuzz ${i}` });
  const circle = async (name: string, regime: string, others: StatementSigner[]) => {
    const { id } = await act(members[0], 'circle.create', null, { name, regime });
    for (const m of others) {
      await act(members[0], 'member.invite', id as string, { member: m.id });
      await act(m, 'member.accept', id as string, {});
    }
    return id as string;
  };
  const X = await circle('Fuzz X', 'amendment', members.slice(1));
  const Y = await circle('Fuzz Y', 'unanimity', members.slice(1));
  const W = await circle('Fuzz W', 'amendment', []);
  const { id: V } = await act(outsider, 'circle.create', null, { name: 'Fuzz V', regime: 'unanimity' });
  const far = formatTimestamp(Date.now() + 7 * 86_400_000);
  const { id: open } = await act(members[0], 'proposal.open', Y, { kind: 'motion', title: 'Open', text: 'o', closesAt: far });
  const { id: closed } = await act(members[0], 'proposal.open', Y, { kind: 'motion', title: 'Closing', text: 'c', closesAt: formatTimestamp(Date.now() + 1500) });
  await eventually(async () => (await api.get<{ status: string }>(`/api/v1/proposals/${closed}`)).body.status === 'closed', 60_000, 'the closing motion to close');
  return { api, members, outsider, stranger: StatementSigner.generate(), X, Y, W, V: V as string, open: open as string, closed: closed as string, accepted, circles: new Set([X, Y, W, V as string]), createdCircles: 0, maxCreatedCircles };
}

export function payloadOf(jws: string): JsonObject {
  return JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8')) as JsonObject;
}

// ------------------------------------------------------------------ valid statements

interface Template {
  signer: StatementSigner;
  type: StatementType;
  circle: string | null;
  body: JsonObject;
  /** dotted paths of body members that may be left out */
  optional: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A one-line name of 1..max code points: full Unicode (astral planes, U+2028, U+FEFF, RTL), no control character. */
function nameArb(max: number): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: Math.min(max, 40) }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
      fc.constantFrom('Ünïcødé', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👩‍👩‍👧', 'עברית ومرحبا', 'a\u2028b', '\ufeffx', 'x\u200dy', '\uffff', '\u{10ffff}'),
      fc.constant('🙂'.repeat(max)),
    )
    .map((s) => s.replace(new RegExp(CONTROL.source, 'g'), '·'))
    .filter((s) => s.length > 0 && [...s].length <= max);
}

const PARAM_NAMES = ['unanimityQuorum', 'objectionShare', 'majorityQuorum', 'amendmentQuorum', 'amendingShare', 'splitShare', 'cursorQuorum'];

function validParamsArb(): fc.Arbitrary<JsonObject> {
  const value = fc.oneof(
    fc.constantFrom<Json>(0, 1, 0.5, 0.1, 0.25, 1e-7, '1/3', '2/3', '0/1', '1/1', '0.25', '1', '0', '10/10'),
    fc.tuple(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([a, b]): Json => `${Math.min(a, b)}/${b}`),
  );
  return fc.dictionary(fc.constantFrom(...PARAM_NAMES), value, { maxKeys: 7 }) as fc.Arbitrary<JsonObject>;
}

function validTemplateArb(w: World): fc.Arbitrary<Template> {
  const member = fc.constantFrom(...w.members);
  const far = () => formatTimestamp(Date.now() + 86_400_000 + Math.floor(Math.random() * 1000));
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(member, fc.constantFrom('yes', 'no', 'abstain'), fc.option(nameArb(50), { nil: undefined })).map(([signer, choice, reason]): Template => ({ signer, type: 'vote.cast', circle: w.Y, body: { proposal: w.open, choice, ...(reason ? { reason } : {}) }, optional: ['reason'] })) },
    { weight: 2, arbitrary: fc.tuple(member, nameArb(300), fc.option(nameArb(100), { nil: undefined })).map(([signer, title, topic]): Template => ({ signer, type: 'proposal.open', circle: w.Y, body: { kind: 'motion', title, text: title, closesAt: far(), ...(topic ? { topic } : {}) }, optional: ['topic'] })) },
    { weight: 2, arbitrary: fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 1 }), nameArb(100)).map(([i, d, topic]): Template => ({ signer: w.members[i], type: 'delegation.set', circle: w.X, body: { to: w.members[(i + 1 + d) % 3].id, scope: { topic } }, optional: [] })) },
    { weight: 1, arbitrary: fc.constantFrom('unanimity', 'do-ocracy', 'amendment', 'split').map((position): Template => ({ signer: w.members[0], type: 'regime.position', circle: w.W, body: { position }, optional: [] })) },
    { weight: 2, arbitrary: nameArb(200).map((name): Template => ({ signer: StatementSigner.generate(), type: 'member.register', circle: null, body: { name }, optional: [] })) },
    { weight: 1, arbitrary: fc.tuple(nameArb(200), fc.constantFrom('unanimity', 'do-ocracy', 'amendment', 'split'), validParamsArb()).map(([name, regime, params]): Template => ({ signer: w.members[0], type: 'circle.create', circle: null, body: { name, regime, params }, optional: ['params', ...PARAM_NAMES.map((p) => `params.${p}`)] })) },
  );
}

function sign(t: Template, opts: { id?: string; at?: string } = {}): string {
  return t.signer.sign(t.type as never, t.circle, t.body as never, opts);
}

// ------------------------------------------------------------------ mutations

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isMember', 'admin', '', ' ', 'kind ', 'Name', 'name\u0000', '𝔫𝔞𝔪𝔢', 'unanimityquorum', 'v', 'type', 'seen'];
/** Names an extra member must not take: where absent, adding one of them may leave a valid body. */
const OPTIONAL_NAMES = new Set(['topic', 'doer', 'ratify', 'reason', 'parent', 'params']);

function hostileValueArb(): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.constantFrom<Json>(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, '', 'x', [], {}, { unanimityQuorum: 0 }, { polluted: true }, ['__proto__']),
    fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  );
}

/** Every path to an object node of the body (the body itself included). */
function objectPaths(value: Json, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out = [path];
  for (const [k, v] of Object.entries(value)) out.push(...objectPaths(v, [...path, k]));
  return out;
}

function leafPaths(value: Json, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return path.length ? [path] : [];
  const out: string[][] = path.length ? [path] : [];
  for (const [k, v] of Object.entries(value)) out.push(...leafPaths(v, [...path, k]));
  return out;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function at(root: Json, path: string[]): Json {
  let node = root;
  for (const k of path) node = (node as JsonObject)[k];
  return node;
}

/** Sets an own member even when its name is `__proto__` (as JSON.parse would). */
function setOwn(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function typeOf(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const VALUES_BY_TYPE: Record<string, Json[]> = {
  null: [null],
  boolean: [true, false],
  number: [0, 1, -1, 0.5, 1e308, -1e-300, 2 ** 53 + 2, 123456789012345680000],
  string: ['', 'x', '🙂'],
  array: [[], [1, 2, 3], Array.from({ length: 1000 }, (_, i) => i)],
  object: [{}, { a: 1 }],
};

type Mutated = { body: Json; kind: string };

function bodyMutationArb(t: Template): fc.Arbitrary<Mutated> {
  const body = t.body as Json;
  const objects = objectPaths(body);
  const leaves = leafPaths(body);
  const required = leaves.filter((p) => !t.optional.includes(p.join('.')));
  const extra = fc.tuple(fc.constantFrom(...objects), fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ unit: 'binary', maxLength: 12 })), hostileValueArb()).map(([path, key, value]): Mutated | null => {
    const copy = clone(body);
    const node = at(copy, path) as JsonObject;
    if (Object.hasOwn(node, key) || OPTIONAL_NAMES.has(key) || PARAM_NAMES.includes(key)) return null;
    setOwn(node, key, value);
    return { body: copy, kind: `extra member ${key === '__proto__' || key === 'constructor' || key === 'prototype' ? key : 'other'} at depth ${path.length}` };
  });
  const missing = required.length === 0 ? fc.constant(null) : fc.constantFrom(...required).map((path): Mutated => {
    const copy = clone(body);
    delete (at(copy, path.slice(0, -1)) as JsonObject)[path[path.length - 1]];
    return { body: copy, kind: `missing member at depth ${path.length - 1}` };
  });
  const wrongType = fc.tuple(fc.constantFrom(...leaves), fc.nat()).map(([path, n]): Mutated | null => {
    const copy = clone(body);
    const old = at(copy, path);
    const isParam = path[path.length - 2] === 'params';
    const types = Object.keys(VALUES_BY_TYPE).filter((k) => k !== typeOf(old) && !(isParam && (k === 'number' || k === 'string')));
    const choices = types.flatMap((k) => VALUES_BY_TYPE[k]);
    setOwn(at(copy, path.slice(0, -1)) as JsonObject, path[path.length - 1], choices[n % choices.length]);
    return { body: copy, kind: 'wrong type' };
  });
  return fc.oneof(extra, missing, wrongType).filter((m): m is Mutated => m !== null);
}

/** A value invalid for this member of this type, though of the right JSON type. */
const BAD_STRINGS: Record<string, Json[]> = {
  name: ['', ' \n', 'a\u0000b', 'tab\there', '\u007f', 'x'.repeat(201), '🙂'.repeat(201), 'line\nbreak'],
  title: ['', 'x'.repeat(301), 'a\rb'],
  topic: ['', 'x'.repeat(101), 'a\nb'],
  reason: ['', 'x'.repeat(2001)],
  choice: ['support', 'object', 'YES', 'maybe', ''],
  proposal: ['', 'short', 'AAAAAAAAAAAAAAAAAAAAAB', 'AAAAAAAAAAAAAAAAAAAAA=', '../../etc/passwd'],
  to: ['', 'x'.repeat(43), 'A'.repeat(42) + '=', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  regime: ['democracy', '', 'Unanimity'],
  position: ['democracy', '', 'Split'],
  closesAt: ['2026-02-30T00:00:00.000Z', '2099-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z', 'tomorrow', '2099-01-01T24:00:00.000Z'],
  kind: ['Motion', 'referendum', ''],
};
const BAD_PARAMS: Json[] = [-1, 1.5, 2, 1e21, '1/0', '0/0', '3/2', '-1/2', '1.5', '0.5.5', '1e-3', ' 1/2', '1/2 ', '½', '0x1', 'NaN', 'Infinity', '1/-2', '+1', '.5', '1.', '1 / 2', '99999999999999999999/1', '1'.repeat(65)];

function badValueArb(t: Template): fc.Arbitrary<Mutated> | null {
  const body = t.body;
  const options: fc.Arbitrary<Mutated>[] = [];
  for (const [key, bad] of Object.entries(BAD_STRINGS)) {
    if (typeof body[key] === 'string') options.push(fc.constantFrom(...bad).map((v) => ({ body: { ...clone(body) as JsonObject, [key]: v }, kind: `bad ${key}` })));
  }
  if (t.type === 'circle.create') {
    options.push(fc.tuple(fc.constantFrom(...PARAM_NAMES), fc.constantFrom(...BAD_PARAMS)).map(([name, v]) => ({ body: { ...(clone(body) as JsonObject), params: { ...(body.params as JsonObject), [name]: v } }, kind: 'bad param' })));
    options.push(fc.constantFrom<Json>({ __proto__: null, unknownParam: 0.5 } as never, JSON.parse('{"__proto__":{"unanimityQuorum":0}}') as Json, JSON.parse('{"constructor":{"prototype":{"unanimityQuorum":0}}}') as Json).map((params) => ({ body: { ...(clone(body) as JsonObject), params }, kind: 'params prototype key' })));
  }
  if (t.type === 'proposal.open') options.push(fc.constant({ body: { ...(clone(body) as JsonObject), topic: null }, kind: 'member topic null' }));
  if (t.type === 'vote.cast') options.push(fc.constant({ body: { ...(clone(body) as JsonObject), choice: 'support' }, kind: 'choice not allowed' }));
  return options.length ? fc.oneof(...options) : null;
}

function invalidCaseArb(w: World): fc.Arbitrary<() => FuzzCase> {
  const template = validTemplateArb(w);
  const rand = Math.random;
  const payloadFor = (t: Template, body: Json, over: Partial<JsonObject> = {}): JsonObject => ({ v: 1, type: t.type, id: ulid(rand), circle: t.circle, at: formatTimestamp(Date.now()), body, ...over } as JsonObject);
  const refuse = (kind: string, jws: string): FuzzCase => ({ kind, expect: 'refuse', jws, id: tryId(jws) });
  const signPayload = (t: Template, payload: JsonObject, extra: object = {}) =>
    t.signer.signRaw({ alg: 'EdDSA', kid: t.signer.id, typ: 'archipel-statement', ...(t.type === 'member.register' ? { jwk: t.signer.publicJwk } : {}), ...extra }, canonicalJson(payload));

  const bodyCases = template.chain((t) => {
    const bad = badValueArb(t);
    return fc.oneof(bodyMutationArb(t), ...(bad ? [bad] : [])).map((m) => () => refuse(`body: ${m.kind} (${t.type})`, signPayload(t, payloadFor(t, m.body))));
  });

  const envelopeCases = fc.tuple(template, fc.nat(20)).map(([t, n]) => () => {
    const bad: [string, Partial<JsonObject> | ((p: JsonObject) => void)][] = [
      ['v 2', { v: 2 }],
      ['v "1"', { v: '1' }],
      ['unknown type', { type: 'member.promote' }],
      ['system type', { type: 'tally.result' }],
      ['bad id', { id: 'not-a-ulid' }],
      ['lower-case id', { id: ulid(rand).toLowerCase() }],
      ['at skewed +1 day', { at: formatTimestamp(Date.now() + 86_400_000) }],
      ['at skewed -1 day', { at: formatTimestamp(Date.now() - 86_400_000) }],
      ['at not a time', { at: '2026-13-01T00:00:00.000Z' }],
      ['unknown circle', { circle: t.circle === null ? randomId16(rand) : randomId16(rand) }],
      ['wrong circle', { circle: t.circle === null ? w.Y : w.V }],
      ['circle not a string', { circle: 7 }],
      ['extra envelope member', { extra: true }],
      ['__proto__ in envelope', (p) => setOwn(p, '__proto__', { v: 1 })],
      ['bad seen', { seen: { size: -1, root: 'x' } }],
      ['seen from the future', t.circle === null ? { seen: { size: 0, root: 'A'.repeat(43) } } : { seen: { size: 10_000_000, root: 'A'.repeat(43) } }],
      ['missing body', (p) => delete p.body],
      ['missing at', (p) => delete p.at],
      ['body an array', { body: [] }],
      ['body null', { body: null }],
      ['payload an array', (p) => Object.keys(p).forEach((k) => delete p[k])],
    ];
    const [kind, change] = bad[n % bad.length];
    const p = payloadFor(t, t.body);
    if (typeof change === 'function') change(p);
    else Object.assign(p, change);
    const payload: Json = kind === 'payload an array' ? [p] : p;
    const jws = t.signer.signRaw({ alg: 'EdDSA', kid: t.signer.id, typ: 'archipel-statement', ...(t.type === 'member.register' ? { jwk: t.signer.publicJwk } : {}) }, canonicalJson(payload));
    return refuse(`envelope: ${kind}`, jws);
  });

  const encodingCases = fc.tuple(template, fc.nat(20)).map(([t, n]) => () => {
    const p = payloadFor(t, t.body);
    const text = canonicalJson(p);
    const variants: [string, string | Uint8Array][] = [
      ['indented', JSON.stringify(p, null, 1)],
      ['trailing newline', text + '\n'],
      ['leading space', ' ' + text],
      ['BOM', '\ufeff' + text],
      ['keys reversed', '{' + Object.entries(p).reverse().map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',') + '}'],
      ['escaped letter', text.replace('"v"', '"\\u0076"')],
      ['escaped slash', text.replace('"body"', '"bo\\/dy"')],
      ['number 1.0', text.replace('"v":1', '"v":1.0')],
      ['number 1e0', text.replace('"v":1', '"v":1e0')],
      ['duplicate member', text.replace('{"at"', '{"v":1,"at"')],
      ['lone surrogate', text.replace('"body":{', '"body":{"x":"\\ud800",')],
      ['infinite number', text.replace('"v":1', '"v":1e400')],
      ['not JSON', text.slice(0, -1)],
      ['invalid UTF-8', new Uint8Array([...Buffer.from(text.slice(0, -2)), 0xc3, 0x28, ...Buffer.from('}}')])],
      ['empty', ''],
      ['JSON null', 'null'],
      ['huge array', text.replace('"body":{', `"body":{"x":[${'0,'.repeat(20_000)}0],`)],
      ['deep nesting', text.replace('"body":{', `"body":{"x":${'['.repeat(5000)}${']'.repeat(5000)},`)],
      ['huge integer', text.replace('"v":1', '"v":100000000000000000000000000000000000001')],
      ['negative zero', text.replace('"v":1', '"v":-0')],
      ['over the size limit', text.replace('"body":{', `"body":{"x":"${'a'.repeat(70_000)}",`)],
    ];
    const [kind, bytes] = variants[n % variants.length];
    const jws = t.signer.signRaw({ alg: 'EdDSA', kid: t.signer.id, typ: 'archipel-statement', ...(t.type === 'member.register' ? { jwk: t.signer.publicJwk } : {}) }, bytes);
    return refuse(`encoding: ${kind}`, jws);
  });

  const headerCases = fc.tuple(template, fc.nat(20)).map(([t, n]) => () => {
    const p = payloadFor(t, t.body);
    const payload = canonicalJson(p);
    const base = { alg: 'EdDSA', kid: t.signer.id, typ: 'archipel-statement', ...(t.type === 'member.register' ? { jwk: t.signer.publicJwk } : {}) };
    const other = w.members.find((m) => m.id !== t.signer.id) as StatementSigner;
    const variants: [string, () => string][] = [
      ['alg none', () => t.signer.signRaw({ ...base, alg: 'none' }, payload)],
      ['alg ES256', () => t.signer.signRaw({ ...base, alg: 'ES256' }, payload)],
      ['typ system', () => t.signer.signRaw({ ...base, typ: 'archipel-system' }, payload)],
      ['typ JWT', () => t.signer.signRaw({ ...base, typ: 'JWT' }, payload)],
      ['no typ', () => t.signer.signRaw({ alg: 'EdDSA', kid: t.signer.id }, payload)],
      ['kid of another member', () => t.signer.signRaw({ ...base, kid: other.id }, payload)],
      ['no kid', () => t.signer.signRaw({ alg: 'EdDSA', typ: 'archipel-statement' }, payload)],
      ['crit', () => t.signer.signRaw({ ...base, crit: ['b64'], b64: false }, payload)],
      ['__proto__ header', () => t.signer.signRaw(JSON.stringify(base).replace('{', '{"__proto__":{"alg":"EdDSA"},'), payload)],
      ['duplicate alg', () => t.signer.signRaw(JSON.stringify(base).replace('{', '{"alg":"none",'), payload)],
      ['jwk with d', () => t.signer.signRaw({ ...base, jwk: { ...t.signer.exportPrivateJwk() } }, payload)],
      ['header array', () => t.signer.signRaw('[]', payload)],
      ['header not JSON', () => t.signer.signRaw('{alg:EdDSA}', payload)],
      ['signature by another key', () => { const s = other.signRaw(base, payload).split('.'); return s.join('.'); }],
      ['signature flipped', () => { const s = t.signer.signRaw(base, payload).split('.'); const sig = Buffer.from(s[2], 'base64url'); sig[5] ^= 1; return `${s[0]}.${s[1]}.${sig.toString('base64url')}`; }],
      ['signature empty', () => t.signer.signRaw(base, payload).split('.').slice(0, 2).join('.') + '.'],
      ['two segments', () => t.signer.signRaw(base, payload).split('.').slice(0, 2).join('.')],
      ['four segments', () => t.signer.signRaw(base, payload) + '.AAAA'],
      ['padding', () => t.signer.signRaw(base, payload) + '=='],
      ['whitespace', () => ' ' + t.signer.signRaw(base, payload)],
      ['unknown key', () => w.stranger.signRaw({ ...base, kid: w.stranger.id }, payload)],
    ];
    const [kind, make] = variants[n % variants.length];
    return refuse(`header: ${kind}`, make());
  });

  const semanticCases = fc.nat(20).map((n) => () => {
    const [A, B] = w.members;
    const far = formatTimestamp(Date.now() + 86_400_000);
    const variants: [string, () => string][] = [
      ['vote on a closed proposal', () => A.sign('vote.cast', w.Y, { proposal: w.closed, choice: 'yes' })],
      ['vote by a non-member', () => w.outsider.sign('vote.cast', w.Y, { proposal: w.open, choice: 'yes' })],
      ['vote by an unknown key', () => w.stranger.sign('vote.cast', w.Y, { proposal: w.open, choice: 'yes' })],
      ['vote in the wrong circle', () => A.sign('vote.cast', w.X, { proposal: w.open, choice: 'yes' })],
      ['vote on an unknown proposal', () => A.sign('vote.cast', w.Y, { proposal: randomId16(rand), choice: 'yes' })],
      ['delegation to oneself', () => A.sign('delegation.set', w.X, { to: A.id, scope: { circle: true } })],
      ['delegation to a non-member', () => A.sign('delegation.set', w.X, { to: w.outsider.id, scope: { circle: true } })],
      ['delegation to an unknown key', () => A.sign('delegation.set', w.X, { to: w.stranger.id, scope: { circle: true } })],
      ['revoke of no delegation', () => A.sign('delegation.revoke', w.Y, { scope: { proposal: randomId16(rand) } })],
      ['register again', () => A.sign('member.register', null, { name: 'Again' }, { includeJwk: true })],
      ['invite a member', () => A.sign('member.invite', w.Y, { member: B.id })],
      ['invite an unknown key', () => A.sign('member.invite', w.Y, { member: w.stranger.id })],
      ['accept without an invitation', () => w.outsider.sign('member.accept', w.Y, {})],
      ['leave a circle one is not in', () => w.outsider.sign('member.leave', w.Y, {})],
      ['retract without a vote', () => w.outsider.sign('vote.retract', w.Y, { proposal: w.open })],
      ['child of a circle one is not in', () => w.outsider.sign('circle.create', null, { name: 'Child', regime: 'unanimity', parent: w.Y })],
      ['proposal closing in the past', () => A.sign('proposal.open', w.Y, { kind: 'motion', title: 'Past', text: '', closesAt: formatTimestamp(Date.now() - 1000) })],
      ['amendment of an unknown target', () => A.sign('proposal.open', w.X, { kind: 'amendment', title: 'A', text: '', closesAt: far, target: randomId16(rand), find: 'x', replace: 'y' })],
      ['member ratifies', () => A.sign('proposal.open', w.Y, { kind: 'motion', title: 'R', text: '', closesAt: far, ratifies: { circle: w.X, proposal: w.open } } as never)],
      ['replay of an accepted statement', () => { const all = [...w.accepted.values()]; return all[Math.floor(rand() * all.length)]; }],
      // ids are unique per signer (§3.3): one A has used before
      ['replayed id, new content', () => { const ids = [...w.accepted].filter(([, jws]) => kidOf(jws) === A.id).map(([id]) => id); return A.sign('vote.cast', w.Y, { proposal: w.open, choice: 'yes' }, { id: ids[Math.floor(rand() * ids.length)] }); }],
    ];
    const [kind, make] = variants[n % variants.length];
    const jws = make();
    return { kind: `rule: ${kind}`, expect: 'refuse' as const, jws, id: kind.startsWith('replay') || kind.startsWith('replayed') ? undefined : tryId(jws) };
  });

  const requestCases = fc.nat(20).map((n) => () => {
    const jws = w.members[0].sign('vote.cast', w.Y, { proposal: w.open, choice: 'yes' });
    const variants: [string, string, string?][] = [
      ['not JSON', '{"jws":'],
      ['jws a number', '{"jws":123}'],
      ['jws null', '{"jws":null}'],
      ['no jws', '{}'],
      ['array', `[${JSON.stringify(jws)}]`],
      ['jws inside __proto__', `{"__proto__":{"jws":${JSON.stringify(jws)}}}`],
      ['jws inside constructor.prototype', `{"constructor":{"prototype":{"jws":${JSON.stringify(jws)}}}}`],
      ['text/plain', JSON.stringify({ jws }), 'text/plain'],
      ['form', `jws=${jws}`, 'application/x-www-form-urlencoded'],
      ['jws an object', `{"jws":{"payload":"x"}}`],
      ['jws over the size limit', JSON.stringify({ jws: 'a'.repeat(70_000) })],
      ['empty body', ''],
    ];
    const [kind, rawBody, contentType] = variants[n % variants.length];
    return { kind: `request: ${kind}`, expect: 'refuse' as const, rawBody, contentType, id: tryId(jws) };
  });

  return fc.oneof(
    { weight: 6, arbitrary: bodyCases },
    { weight: 2, arbitrary: envelopeCases },
    { weight: 2, arbitrary: encodingCases },
    { weight: 2, arbitrary: headerCases },
    { weight: 3, arbitrary: semanticCases },
    { weight: 1, arbitrary: requestCases },
  );
}

function kidOf(jws: string): string {
  return (JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString('utf8')) as { kid: string }).kid;
}

function tryId(jws: string): string | undefined {
  try {
    const id = payloadOf(jws).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The case generator: valid statements interleaved with bad ones (about one in four valid). */
export function caseArb(w: World): fc.Arbitrary<() => FuzzCase> {
  const valid = validTemplateArb(w).map((t) => () => {
    let template = t;
    // Each circle created is verified at the end: keep their number bounded.
    if (t.type === 'circle.create' && w.createdCircles >= w.maxCreatedCircles) template = { ...t, type: 'member.register', signer: StatementSigner.generate(), body: { name: t.body.name } };
    else if (t.type === 'circle.create') w.createdCircles++;
    const jws = sign(template);
    return { kind: `valid ${template.type}`, expect: 'accept' as const, jws, id: payloadOf(jws).id as string };
  });
  return fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: invalidCaseArb(w) });
}

// ------------------------------------------------------------------ running and checking

export interface Outcome {
  case: FuzzCase;
  status: number;
  body: unknown;
  text: string;
}

export interface Problem {
  kind: string;
  detail: string;
}

const ERROR_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const LEAKS = /\n\s+at |node_modules|\/work\/|\.ts:\d+|postgres(?:ql)?:\/\/|redis:\/\/|password|QueryFailedError|TypeError|ReferenceError|SyntaxError: Unexpected/;

/** What is wrong with one answer, if anything. */
export function judge(o: Outcome): string | null {
  if (o.case.expect === 'accept') return o.status === 201 ? null : `valid statement refused with ${o.status}: ${o.text.slice(0, 300)}`;
  if (o.status < 400 || o.status >= 500) return `bad input answered ${o.status}: ${o.text.slice(0, 300)}`;
  const b = o.body as { code?: unknown; message?: unknown; field?: unknown } | null;
  if (!b || typeof b !== 'object' || typeof b.code !== 'string' || !ERROR_CODE.test(b.code) || typeof b.message !== 'string' || b.message === '') {
    return `refusal without a §10 body: ${o.status} ${o.text.slice(0, 300)}`;
  }
  if (b.field !== undefined && typeof b.field !== 'string') return `field is not a string: ${o.text.slice(0, 300)}`;
  if (LEAKS.test(o.text)) return `refusal leaks internals: ${o.text.slice(0, 300)}`;
  return null;
}

export async function post(api: ApiClient, c: FuzzCase): Promise<Outcome> {
  const res = await fetch(`${api.baseUrl}/api/v1/statements`, {
    method: 'POST',
    headers: { 'content-type': c.contentType ?? 'application/json' },
    body: c.rawBody ?? JSON.stringify({ jws: c.jws }),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { case: c, status: res.status, body, text };
}

export interface CampaignReport {
  cases: number;
  valid: number;
  refused: number;
  byCode: Record<string, number>;
  byKind: Record<string, number>;
  problems: Problem[];
  /** payload ids of the statements refused (none may be in a log) */
  refusedIds: Set<string>;
  seconds: number;
}

/** Run `cases` cases, `concurrency` in flight at a time; replays only name what was accepted before. */
export async function runCampaign(w: World, opts: { cases: number; seed: number; concurrency?: number; onProgress?: (done: number) => void }): Promise<CampaignReport> {
  const started = Date.now();
  const concurrency = opts.concurrency ?? 8;
  const makers = fc.sample(caseArb(w), { numRuns: opts.cases, seed: opts.seed });
  const report: CampaignReport = { cases: 0, valid: 0, refused: 0, byCode: {}, byKind: {}, problems: [], refusedIds: new Set(), seconds: 0 };
  for (let i = 0; i < makers.length; i += concurrency) {
    const batch = makers.slice(i, i + concurrency).map((make) => make());
    const outcomes = await Promise.all(batch.map((c) => post(w.api, c)));
    for (const o of outcomes) {
      report.cases++;
      report.byKind[o.case.kind] = (report.byKind[o.case.kind] ?? 0) + 1;
      const problem = judge(o);
      if (problem) report.problems.push({ kind: o.case.kind, detail: problem });
      if (o.status !== 201 && o.case.id) report.refusedIds.add(o.case.id);
      if (o.status === 201 && o.case.jws) {
        const id = payloadOf(o.case.jws).id as string;
        w.accepted.set(id, o.case.jws);
        const answer = o.body as { circle?: string; id?: string };
        if (o.case.kind === 'valid circle.create' && answer.id) w.circles.add(answer.id);
      }
      if (o.case.expect === 'accept') report.valid++;
      else {
        report.refused++;
        const code = (o.body as { code?: string } | null)?.code ?? String(o.status);
        report.byCode[code] = (report.byCode[code] ?? 0) + 1;
      }
    }
    opts.onProgress?.(report.cases);
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** Every member statement in the logs (the registry and every circle), by payload id. */
export async function memberStatementsInLogs(w: World): Promise<{ ids: Set<string>; circles: string[] }> {
  const listed = (await w.api.get<{ items: { id: string }[] }>('/api/v1/circles')).body.items.map((c) => c.id);
  const circles = [...new Set([...listed, ...w.circles])];
  const ids = new Set<string>();
  const logs = ['/api/v1/registry/log', ...circles.map((c) => `/api/v1/circles/${c}/log`)];
  for (const path of logs) {
    const res = await fetch(`${w.api.baseUrl}${path}`);
    const text = await res.text();
    for (const line of text.split('\n').filter(Boolean)) {
      const { jws } = JSON.parse(line) as { jws: string };
      const header = JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString('utf8')) as { typ: string };
      if (header.typ !== 'archipel-statement') continue;
      ids.add(payloadOf(jws).id as string);
    }
  }
  return { ids, circles };
}
