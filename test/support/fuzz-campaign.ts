// The standing fuzz campaign (docs/testing.md): statements of every type a member signs (SPEC §4,
// §11), proposals of every kind, signed by real keys (registration keys, keys added later, recovery
// keys, revoked and unknown ones), with every part mutated, posted through the real HTTP API with
// valid statements interleaved. Each case knows whether it must be accepted or refused, from how it
// was built (never from the service's own validation code). `checkCampaign` then compares the logs
// with what was accepted and runs `archipel verify` on every circle.
import fc from 'fast-check';
import { canonicalJson, formatTimestamp } from '../../src/core/formats/canonical-json';
import { StatementSigner } from '../../src/core/formats/statement-signer';
import type { StatementType } from '../../src/core/formats/statement-types';
import { ApiClient } from './client';
import { eventually } from './app';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** The answer to an appended statement. */
interface Appended {
  circle?: string;
  seq?: number;
  id?: string;
}

/** What is sent: a JWS in the usual request body, or a raw request body. */
export interface FuzzCase {
  kind: string;
  expect: 'accept' | 'refuse';
  jws?: string;
  rawBody?: string;
  contentType?: string;
  /** the payload id, when the case has one that could reach a log */
  id?: string;
  /** what the world learns from the answer (a valid case's pools: invitations, votes, keys) */
  settle?: (accepted: boolean, answer: Appended) => void;
}

/**
 * The member whose keys change during the campaign (SPEC §11). Her registration key was revoked
 * while the world was built; `stable` and `spare` are never revoked; `active` holds the keys added
 * by valid cases, which valid cases also revoke.
 */
export interface KeyHolder {
  id: string;
  stable: StatementSigner;
  spare: StatementSigner;
  active: StatementSigner[];
  recovery: StatementSigner;
  /** a recovery.set is in flight: the recovery key is about to change */
  recoveryBusy: boolean;
  revoked: StatementSigner[];
  /** recovery keys replaced by member.recovery.set (revoked by it) */
  formerRecovery: StatementSigner[];
}

export interface World {
  api: ApiClient;
  members: StatementSigner[]; // members of Y, X (0, 1, 2), D (0, 1) and W (0)
  holder: KeyHolder; // member of Y, signing with keys other than her registration key
  outsider: StatementSigner; // registered, member of nothing, never invited
  pending: StatementSigner; // invited to D, never accepts
  stranger: StatementSigner; // never registered
  X: string; // amendment regime: delegations, amendments of `motionX`
  Y: string; // unanimity regime: votes on `open`, proposals of every kind
  W: string; // regime positions only
  V: string; // the outsider's circle: none of `members` is in it
  D: string; // do-ocracy: votes on `openD`; invitations, acceptances and departures
  open: string; // open motion in Y
  closed: string; // closed motion in Y
  split: string; // open split proposal in Y
  openD: string; // open motion in D
  motionX: string; // motion in X, in its amending phase for the whole campaign
  motionXText: string;
  amendmentsCloseAt: string; // the closesAt of every amendment of motionX
  /** payload id -> jws, every statement accepted so far */
  accepted: Map<string, string>;
  /** [id, jws] of up to 1,000 statements accepted, for the replays (a sample: the whole map is long to copy) */
  replayable: [string, string][];
  /** the first ones, the world's own statements, stay (members[0]'s among them, for 'replayed id') */
  replayableKept: number;
  circles: Set<string>;
  createdCircles: number;
  /** each circle is verified by the CLI at the end (a second or more each): keep them few */
  maxCreatedCircles: number;
  /** registered by valid cases, in no circle: invited to D next */
  fresh: StatementSigner[];
  invited: StatementSigner[]; // invited to D, not yet accepted
  joined: StatementSigner[]; // joined D by a valid case, may leave
  /** member id -> her vote on `open`: whether she has one, after the entry at `seq` */
  votes: Map<string, { voted: boolean; seq: number; retracting: boolean }>;
  /** "<member index> <scope>" -> a delegation of hers in X, after the entry at `seq` */
  delegations: Map<string, { set: boolean; seq: number; revoking: boolean; scope: JsonObject; index: number }>;
  /** key ids signing in the batch being built (none of them may be revoked in it) */
  inBatch: Set<string>;
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

/** The words of motionX's text: each occurs exactly once, so each is a valid amendment's `find`. */
const MOTION_WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', '𝔨𝔦𝔩𝔬', 'lima‍'];

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
  const pending = StatementSigner.generate();
  const first = StatementSigner.generate(); // the key holder's registration key, revoked below
  const firstRecovery = StatementSigner.generate();
  for (const [i, m] of [...members, outsider, pending].entries()) await act(m, 'member.register', null, { name: `Fuzz ${i}` });
  await act(first, 'member.register', null, { name: 'Fuzz keys', recovery: firstRecovery.publicJwk });
  const circle = async (name: string, regime: string, others: StatementSigner[]) => {
    const { id } = await act(members[0], 'circle.create', null, { name, regime });
    for (const m of others) {
      await act(members[0], 'member.invite', id as string, { member: m.id });
      await act(m, 'member.accept', id as string, {});
    }
    return id as string;
  };
  const X = await circle('Fuzz X', 'amendment', members.slice(1));
  const Y = await circle('Fuzz Y', 'unanimity', [...members.slice(1), first]);
  const W = await circle('Fuzz W', 'amendment', []);
  const D = await circle('Fuzz D', 'do-ocracy', members.slice(1, 2));
  await act(members[0], 'member.invite', D, { member: pending.id });
  const { id: V } = await act(outsider, 'circle.create', null, { name: 'Fuzz V', regime: 'unanimity' });
  const far = formatTimestamp(Date.now() + 7 * 86_400_000);
  const { id: open } = await act(members[0], 'proposal.open', Y, { kind: 'motion', title: 'Open', text: 'o', closesAt: far });
  const { id: split } = await act(members[1], 'proposal.open', Y, { kind: 'split', title: 'Split', text: 's', closesAt: far, name: 'Fuzz Y split' });
  const { id: openD } = await act(members[0], 'proposal.open', D, { kind: 'motion', title: 'Open D', text: 'd', closesAt: far });
  const motionXText = MOTION_WORDS.join(' ');
  // an amending phase of half the window (amendingShare 1/2): 30 days
  const { id: motionX } = await act(members[0], 'proposal.open', X, { kind: 'motion', title: 'Amend me', text: motionXText, closesAt: formatTimestamp(Date.now() + 60 * 86_400_000) });
  const amendmentsCloseAt = (await api.get<{ amendmentsCloseAt: string }>(`/api/v1/proposals/${motionX}`)).body.amendmentsCloseAt;
  const { id: closed } = await act(members[0], 'proposal.open', Y, { kind: 'motion', title: 'Closing', text: 'c', closesAt: formatTimestamp(Date.now() + 1500) });
  // members[0] voted (the stand-in retraction's vote); members[2] delegates in Y (the stand-in revocation's)
  await act(members[0], 'vote.cast', Y, { proposal: open, choice: 'yes' });
  await act(members[2], 'delegation.set', Y, { to: members[0].id, scope: { circle: true } });
  // the key holder votes with her registration key, moves to other keys and revokes it (what it
  // signed stays valid), and replaces her recovery key
  const stable = StatementSigner.generate();
  const spare = StatementSigner.generate();
  const recovery = StatementSigner.generate();
  await act(first, 'vote.cast', Y, { proposal: open, choice: 'no' });
  await act(first, 'member.key.add', null, { member: first.id, jwk: stable.publicJwk });
  await act(stable, 'member.key.add', null, { member: first.id, jwk: spare.publicJwk });
  await act(stable, 'member.key.revoke', null, { member: first.id, key: first.id });
  await act(spare, 'member.recovery.set', null, { member: first.id, jwk: recovery.publicJwk });
  const holder: KeyHolder = { id: first.id, stable, spare, active: [], recovery, recoveryBusy: false, revoked: [first], formerRecovery: [firstRecovery] };
  await eventually(async () => (await api.get<{ status: string }>(`/api/v1/proposals/${closed}`)).body.status === 'closed', 60_000, 'the closing motion to close');
  return {
    api, members, holder, outsider, pending, stranger: StatementSigner.generate(),
    X, Y, W, V: V as string, D, open: open as string, closed: closed as string, split: split as string, openD: openD as string, motionX: motionX as string, motionXText, amendmentsCloseAt,
    accepted, replayable: [...accepted], replayableKept: accepted.size, circles: new Set([X, Y, W, V as string, D]), createdCircles: 0, maxCreatedCircles,
    fresh: [], invited: [], joined: [],
    votes: new Map([[members[0].id, { voted: true, seq: -1, retracting: false }]]),
    delegations: new Map(),
    inBatch: new Set(),
  };
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
  /** the template's name in the figures: its type, and its kind for proposal.open */
  label: string;
  settle?: FuzzCase['settle'];
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

/** Text of 0..max code points, newlines and control characters allowed but U+0000 (a proposal's text, an amendment's replace). */
function textArb(max: number): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ unit: 'binary', maxLength: Math.min(max, 60) }).map((s) => s.replaceAll('\u0000', '\u0001')), nameArb(Math.min(max, 200)), fc.constantFrom('', 'line\nbreak\r\n\ttab\u007f', '$& $1 $$', 'x'.repeat(max)));
}

const PARAM_NAMES = ['unanimityQuorum', 'objectionShare', 'majorityQuorum', 'amendmentQuorum', 'amendingShare', 'splitShare', 'cursorQuorum'];
const REGIME_NAMES = ['unanimity', 'do-ocracy', 'amendment', 'split'];

function validParamsArb(): fc.Arbitrary<JsonObject> {
  const value = fc.oneof(
    fc.constantFrom<Json>(0, 1, 0.5, 0.1, 0.25, 1e-7, '1/3', '2/3', '0/1', '1/1', '0.25', '1', '0', '10/10'),
    fc.tuple(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([a, b]): Json => `${Math.min(a, b)}/${b}`),
  );
  return fc.dictionary(fc.constantFrom(...PARAM_NAMES), value, { maxKeys: 7 }) as fc.Arbitrary<JsonObject>;
}

/**
 * A statement template, drawn when the cases are generated. `standIn` is the template the bad cases
 * mutate: valid as it stands, but never sent as is. `live`, called when the case is sent, is the
 * valid statement itself: it may take what it needs from the world's pools (a member to invite, a
 * vote to retract, a key to revoke) and returns null when they are empty.
 */
interface TemplateMaker {
  standIn: Template;
  live: () => Template | null;
}

function jwkOf(signer: StatementSigner): JsonObject {
  return { ...signer.publicJwk };
}

function stateless(t: Template): TemplateMaker {
  return { standIn: t, live: () => t };
}

/** The holder's keys that sign for her now, the recovery key left out. */
function holderKeys(w: World): StatementSigner[] {
  return [w.holder.stable, w.holder.spare, ...w.holder.active];
}

function pickKey(w: World, keys: StatementSigner[], n: number): StatementSigner {
  const key = keys[n % keys.length];
  w.inBatch.add(key.id);
  return key;
}

/** A delegation's key in `w.delegations`. */
function delegationKey(index: number, scope: JsonObject): string {
  return `${index} ${canonicalJson(scope)}`;
}

/** A valid template of every type a member signs and every proposal kind (SPEC §4, §5.4, §11). */
function templateArb(w: World): fc.Arbitrary<TemplateMaker> {
  const far = () => formatTimestamp(Date.now() + 86_400_000 + Math.floor(Math.random() * 1000));
  const M = w.members;
  const memberOf3 = fc.nat({ max: 2 });
  const title = nameArb(300);
  const topic = fc.option(nameArb(100), { nil: undefined });
  const proposal = (kind: string, rest: fc.Arbitrary<JsonObject>, optional: string[] = []) =>
    fc.tuple(memberOf3, title, textArb(500), topic, rest).map(([i, t, text, top, r]): TemplateMaker => stateless({ signer: M[i], type: 'proposal.open', circle: w.Y, body: { kind, title: t, text, closesAt: far(), ...(top ? { topic: top } : {}), ...r }, optional: ['topic', ...optional], label: `proposal.open ${kind}` }));
  const voteOnOpen = fc.tuple(fc.nat({ max: 3 }), fc.constantFrom('yes', 'no', 'abstain'), fc.option(nameArb(50), { nil: undefined }), fc.nat()).map(([i, choice, reason, n]): TemplateMaker => {
    const body = { proposal: w.open, choice, ...(reason ? { reason } : {}) };
    const make = (signer: StatementSigner, member: string): Template => ({
      signer, type: 'vote.cast', circle: w.Y, body, optional: ['reason'], label: 'vote.cast',
      settle: (ok, answer) => {
        const v = w.votes.get(member) ?? { voted: false, seq: -1, retracting: false };
        if (ok && (answer.seq ?? -1) > v.seq) w.votes.set(member, { ...v, voted: true, seq: answer.seq as number });
      },
    });
    return i < 3 ? { standIn: make(M[i], M[i].id), live: () => make(M[i], M[i].id) } : { standIn: make(w.holder.stable, w.holder.id), live: () => make(pickKey(w, holderKeys(w), n), w.holder.id) };
  });
  return fc.oneof(
    { weight: 4, arbitrary: voteOnOpen },
    { weight: 1, arbitrary: fc.tuple(memberOf3, fc.constantFrom('leave', 'stay')).map(([i, choice]) => stateless({ signer: M[i], type: 'vote.cast', circle: w.Y, body: { proposal: w.split, choice }, optional: [], label: 'vote.cast split' })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat({ max: 1 }), fc.constantFrom('support', 'object', 'abstain'), fc.option(nameArb(2000).filter((s) => s.trim() !== ''), { nil: undefined }), nameArb(50).filter((s) => s.trim() !== '')).map(([i, choice, reason, objection]) =>
        stateless({ signer: M[i], type: 'vote.cast', circle: w.D, body: { proposal: w.openD, choice, ...(choice === 'object' ? { reason: reason ?? objection } : reason ? { reason } : {}) }, optional: choice === 'object' ? [] : ['reason'], label: 'vote.cast do-ocracy' }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((n): TemplateMaker => ({
        standIn: { signer: M[0], type: 'vote.retract', circle: w.Y, body: { proposal: w.open }, optional: [], label: 'vote.retract' },
        live: () => {
          const voters = [...w.votes].filter(([, v]) => v.voted && !v.retracting).map(([id]) => id);
          if (voters.length === 0) return null;
          const member = voters[n % voters.length];
          const v = w.votes.get(member) as { voted: boolean; seq: number; retracting: boolean };
          v.retracting = true;
          const signer = member === w.holder.id ? pickKey(w, holderKeys(w), n) : (M.find((m) => m.id === member) as StatementSigner);
          return {
            signer, type: 'vote.retract', circle: w.Y, body: { proposal: w.open }, optional: [], label: 'vote.retract',
            settle: (ok, answer) => {
              const now = w.votes.get(member) as typeof v;
              now.retracting = false;
              if (ok && (answer.seq ?? -1) > now.seq) w.votes.set(member, { voted: false, seq: answer.seq as number, retracting: false });
            },
          };
        },
      })),
    },
    { weight: 1, arbitrary: proposal('motion', fc.tuple(fc.option(fc.nat({ max: 3 }), { nil: undefined }), fc.option(fc.boolean(), { nil: undefined })).map(([d, ratify]) => ({ ...(d === undefined ? {} : { doer: d < 3 ? M[d].id : w.holder.id }), ...(ratify === undefined ? {} : { ratify }) })), ['doer', 'ratify']) },
    {
      weight: 1,
      arbitrary: fc.tuple(memberOf3, title, textArb(500), topic, fc.constantFrom(...MOTION_WORDS), textArb(200)).map(([i, t, text, top, find, replace]) =>
        stateless({ signer: M[i], type: 'proposal.open', circle: w.X, body: { kind: 'amendment', title: t, text, closesAt: w.amendmentsCloseAt, ...(top ? { topic: top } : {}), target: w.motionX, find, replace }, optional: ['topic'], label: 'proposal.open amendment' }),
      ),
    },
    { weight: 1, arbitrary: proposal('regime', fc.tuple(fc.constantFrom(...REGIME_NAMES), validParamsArb()).map(([regime, params]) => ({ regime, params })), PARAM_NAMES.map((p) => `params.${p}`)) },
    { weight: 1, arbitrary: proposal('membership', fc.nat({ max: 3 }).map((j) => ({ member: j < 3 ? M[j].id : w.holder.id }))) },
    { weight: 1, arbitrary: proposal('split', nameArb(200).map((name) => ({ name }))) },
    {
      weight: 2,
      arbitrary: fc.tuple(memberOf3, fc.nat({ max: 1 }), fc.oneof(nameArb(100).map((t): JsonObject => ({ topic: t })), fc.constant<JsonObject>({ circle: true }), fc.constant<JsonObject>({ proposal: w.motionX }))).map(([i, d, scope]) =>
        stateless({
          signer: M[i], type: 'delegation.set', circle: w.X, body: { to: M[(i + 1 + d) % 3].id, scope }, optional: [], label: 'delegation.set',
          settle: (ok, answer) => {
            const key = delegationKey(i, scope);
            const was = w.delegations.get(key) ?? { set: false, seq: -1, revoking: false, scope, index: i };
            if (ok && (answer.seq ?? -1) > was.seq) w.delegations.set(key, { ...was, set: true, seq: answer.seq as number });
          },
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((n): TemplateMaker => ({
        standIn: { signer: M[2], type: 'delegation.revoke', circle: w.Y, body: { scope: { circle: true } }, optional: [], label: 'delegation.revoke' },
        live: () => {
          const set = [...w.delegations].filter(([, d]) => d.set && !d.revoking);
          if (set.length === 0) return null;
          const [key, d] = set[n % set.length];
          d.revoking = true;
          return {
            signer: M[d.index], type: 'delegation.revoke', circle: w.X, body: { scope: d.scope }, optional: [], label: 'delegation.revoke',
            settle: (ok, answer) => {
              const now = w.delegations.get(key) as typeof d;
              now.revoking = false;
              if (ok && (answer.seq ?? -1) > now.seq) w.delegations.set(key, { ...now, set: false, seq: answer.seq as number });
            },
          };
        },
      })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...REGIME_NAMES).map((position) => stateless({ signer: M[0], type: 'regime.position', circle: w.W, body: { position }, optional: [], label: 'regime.position' })) },
    {
      weight: 2,
      arbitrary: fc.tuple(nameArb(200), fc.boolean()).map(([name, withRecovery]) => {
        const signer = StatementSigner.generate();
        return stateless({
          signer, type: 'member.register', circle: null, body: { name, ...(withRecovery ? { recovery: jwkOf(StatementSigner.generate()) } : {}) }, optional: ['recovery'], label: 'member.register',
          settle: (ok) => {
            if (ok && w.fresh.length < 1000) w.fresh.push(signer);
          },
        });
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(nameArb(200), fc.constantFrom(...REGIME_NAMES), validParamsArb(), fc.option(memberOf3, { nil: undefined })).map(([name, regime, params, child]) =>
        stateless({ signer: M[child ?? 0], type: 'circle.create', circle: null, body: { name, ...(child === undefined ? {} : { parent: w.Y }), regime, params }, optional: ['params', 'parent', ...PARAM_NAMES.map((p) => `params.${p}`)], label: 'circle.create' }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constant<TemplateMaker>({
        standIn: { signer: M[0], type: 'member.invite', circle: w.D, body: { member: w.outsider.id }, optional: [], label: 'member.invite' },
        live: () => {
          const invitee = w.fresh.shift();
          if (!invitee) return null;
          return { signer: M[0], type: 'member.invite', circle: w.D, body: { member: invitee.id }, optional: [], label: 'member.invite', settle: (ok) => void (ok && w.invited.push(invitee)) };
        },
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant<TemplateMaker>({
        standIn: { signer: w.pending, type: 'member.accept', circle: w.D, body: {}, optional: [], label: 'member.accept' },
        live: () => {
          const invitee = w.invited.shift();
          if (!invitee) return null;
          return { signer: invitee, type: 'member.accept', circle: w.D, body: {}, optional: [], label: 'member.accept', settle: (ok) => void (ok && w.joined.push(invitee)) };
        },
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant<TemplateMaker>({
        standIn: { signer: M[1], type: 'member.leave', circle: w.D, body: {}, optional: [], label: 'member.leave' },
        live: () => {
          const member = w.joined.shift();
          return member ? { signer: member, type: 'member.leave', circle: w.D, body: {}, optional: [], label: 'member.leave' } : null;
        },
      }),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((n): TemplateMaker => {
        const key = StatementSigner.generate();
        const body = { member: w.holder.id, jwk: jwkOf(key) };
        return {
          standIn: { signer: w.holder.stable, type: 'member.key.add', circle: null, body, optional: [], label: 'member.key.add' },
          live: () => {
            // by one of her keys or, when it is not being replaced, by her recovery key
            const signers = [...holderKeys(w), ...(w.holder.recoveryBusy ? [] : [w.holder.recovery])];
            return { signer: pickKey(w, signers, n), type: 'member.key.add', circle: null, body, optional: [], label: 'member.key.add', settle: (ok) => void (ok && w.holder.active.push(key)) };
          },
        };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat(), fc.nat()).map(([n, s]): TemplateMaker => ({
        standIn: { signer: w.holder.stable, type: 'member.key.revoke', circle: null, body: { member: w.holder.id, key: w.holder.spare.id }, optional: [], label: 'member.key.revoke' },
        live: () => {
          // a key added by a valid case and signing nothing in this batch; never the one revoking
          const revocable = w.holder.active.filter((k) => !w.inBatch.has(k.id));
          if (revocable.length === 0) return null;
          const target = revocable[n % revocable.length];
          w.holder.active.splice(w.holder.active.indexOf(target), 1);
          const signers = [...holderKeys(w), ...(w.holder.recoveryBusy ? [] : [w.holder.recovery])];
          return {
            signer: pickKey(w, signers, s), type: 'member.key.revoke', circle: null, body: { member: w.holder.id, key: target.id }, optional: [], label: 'member.key.revoke',
            settle: (ok) => (ok ? w.holder.revoked.push(target) : w.holder.active.push(target)),
          };
        },
      })),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((n): TemplateMaker => {
        const key = StatementSigner.generate();
        const body = { member: w.holder.id, jwk: jwkOf(key) };
        return {
          standIn: { signer: w.holder.stable, type: 'member.recovery.set', circle: null, body, optional: [], label: 'member.recovery.set' },
          live: () => {
            if (w.holder.recoveryBusy || w.inBatch.has(w.holder.recovery.id)) return null;
            w.holder.recoveryBusy = true;
            return {
              signer: pickKey(w, holderKeys(w), n), type: 'member.recovery.set', circle: null, body, optional: [], label: 'member.recovery.set',
              settle: (ok) => {
                w.holder.recoveryBusy = false;
                if (!ok) return;
                w.holder.formerRecovery.push(w.holder.recovery);
                w.holder.recovery = key;
              },
            };
          },
        };
      }),
    },
  );
}

function sign(t: Template, opts: { id?: string; at?: string } = {}): string {
  return t.signer.sign(t.type as never, t.circle, t.body as never, opts);
}

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isMember', 'admin', '', ' ', 'kind ', 'Name', 'name\u0000', '𝔫𝔞𝔪𝔢', 'unanimityquorum', 'v', 'type', 'seen'];
/** Names an extra member must not take: where absent, adding one of them may leave a valid body. */
const OPTIONAL_NAMES = new Set(['topic', 'doer', 'ratify', 'reason', 'parent', 'params', 'recovery']);

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
  const wrongType = leaves.length === 0 ? fc.constant(null) : fc.tuple(fc.constantFrom(...leaves), fc.nat()).map(([path, n]): Mutated | null => {
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
  reason: ['', 'x'.repeat(2001), 'a\u0000b'],
  choice: ['YES', 'maybe', '', 'yes ', 'oui'],
  proposal: ['', 'short', 'AAAAAAAAAAAAAAAAAAAAAB', 'AAAAAAAAAAAAAAAAAAAAA=', '../../etc/passwd'],
  to: ['', 'x'.repeat(43), 'A'.repeat(42) + '=', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  regime: ['democracy', '', 'Unanimity'],
  position: ['democracy', '', 'Split'],
  closesAt: ['2026-02-30T00:00:00.000Z', '2099-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z', 'tomorrow', '2099-01-01T24:00:00.000Z'],
  kind: ['Motion', 'referendum', ''],
  member: ['', 'x', 'A'.repeat(44), 'A'.repeat(42) + '=', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\u0000'],
  key: ['', 'A'.repeat(42), 'A'.repeat(43) + '=', '+'.repeat(43)],
  target: ['', 'AAAAAAAAAAAAAAAAAAAAAB', 'A'.repeat(23)],
  doer: ['', 'A'.repeat(42), 'x'],
  find: ['', 'al\u0000pha'],
  replace: ['x'.repeat(20_001), '\u0000'],
  text: ['x'.repeat(20_001), 'a\u0000b', '\u0000'],
  parent: ['', 'AAAAAAAAAAAAAAAAAAAAAB', 'circles/AAAAAAAAAAAAAAAAAAAAAA', 'x'.repeat(300)],
};
const KEY = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
/** Bad values of a right-typed object member: public keys (`jwk`, `recovery`) and delegation scopes. */
const BAD_OBJECTS: Record<string, Json[]> = {
  jwk: [{}, { kty: 'OKP', crv: 'Ed25519' }, { kty: 'EC', crv: 'Ed25519', x: KEY }, { kty: 'OKP', crv: 'X25519', x: KEY }, { kty: 'OKP', crv: 'Ed25519', x: KEY.slice(1) }, { kty: 'OKP', crv: 'Ed25519', x: KEY + '=' }, { kty: 'OKP', crv: 'Ed25519', x: KEY, d: KEY }, { kty: 'OKP', crv: 'Ed25519', x: KEY, kid: KEY }],
  scope: [{}, { circle: false }, { circle: 'true' }, { topic: '' }, { circle: true, topic: 'x' }, { proposal: 'x' }, { topic: 'x'.repeat(101) }, { member: KEY }],
};
BAD_OBJECTS.recovery = BAD_OBJECTS.jwk;
const BAD_PARAMS: Json[] = [-1, 1.5, 2, 1e21, '1/0', '0/0', '3/2', '-1/2', '1.5', '0.5.5', '1e-3', ' 1/2', '1/2 ', '½', '0x1', 'NaN', 'Infinity', '1/-2', '+1', '.5', '1.', '1 / 2', '99999999999999999999/1', '1'.repeat(65)];

function badValueArb(t: Template): fc.Arbitrary<Mutated> | null {
  const body = t.body;
  const options: fc.Arbitrary<Mutated>[] = [];
  for (const [key, bad] of Object.entries(BAD_STRINGS)) {
    if (typeof body[key] === 'string') options.push(fc.constantFrom(...bad).map((v) => ({ body: { ...clone(body) as JsonObject, [key]: v }, kind: `bad ${key}` })));
  }
  for (const [key, bad] of Object.entries(BAD_OBJECTS)) {
    if (body[key] !== null && typeof body[key] === 'object') options.push(fc.constantFrom(...bad).map((v) => ({ body: { ...clone(body) as JsonObject, [key]: clone(v) }, kind: `bad ${key}` })));
  }
  // a circle's and a regime proposal's params (SPEC §5.3: exact ratios in [0, 1], nothing else)
  if (body.params !== undefined) {
    options.push(fc.tuple(fc.constantFrom(...PARAM_NAMES), fc.constantFrom(...BAD_PARAMS)).map(([name, v]) => ({ body: { ...(clone(body) as JsonObject), params: { ...(body.params as JsonObject), [name]: v } }, kind: 'bad param' })));
    options.push(fc.constantFrom<Json>({ __proto__: null, unknownParam: 0.5 } as never, JSON.parse('{"__proto__":{"unanimityQuorum":0}}') as Json, JSON.parse('{"constructor":{"prototype":{"unanimityQuorum":0}}}') as Json).map((params) => ({ body: { ...(clone(body) as JsonObject), params }, kind: 'params prototype key' })));
  }
  if (t.type === 'proposal.open') {
    options.push(fc.constant({ body: { ...(clone(body) as JsonObject), topic: null }, kind: 'member topic null' }));
    // another kind's members, or none of its own
    options.push(fc.constantFrom('motion', 'amendment', 'regime', 'membership', 'split').filter((k) => k !== body.kind).map((kind) => ({ body: { ...(clone(body) as JsonObject), kind }, kind: 'kind of other members' })));
  }
  if (t.type === 'vote.cast') {
    // SPEC §5.3, §5.4: the choices of the proposal's regime and kind, and no other
    const allowed = t.label === 'vote.cast split' ? ['leave', 'stay'] : t.label === 'vote.cast do-ocracy' ? ['support', 'object', 'abstain'] : ['yes', 'no', 'abstain'];
    const others = ['yes', 'no', 'abstain', 'support', 'object', 'leave', 'stay'].filter((c) => !allowed.includes(c));
    options.push(fc.constantFrom(...others).map((choice) => ({ body: { ...(clone(body) as JsonObject), choice }, kind: 'choice not allowed' })));
  }
  return options.length ? fc.oneof(...options) : null;
}

function invalidCaseArb(w: World): fc.Arbitrary<() => FuzzCase> {
  const template = templateArb(w).map((m) => m.standIn);
  const rand = Math.random;
  const payloadFor = (t: Template, body: Json, over: Partial<JsonObject> = {}): JsonObject => ({ v: 1, type: t.type, id: ulid(rand), circle: t.circle, at: formatTimestamp(Date.now()), body, ...over } as JsonObject);
  const refuse = (kind: string, jws: string): FuzzCase => ({ kind, expect: 'refuse', jws, id: tryId(jws) });
  const signPayload = (t: Template, payload: JsonObject, extra: object = {}) =>
    t.signer.signRaw({ alg: 'EdDSA', kid: t.signer.id, typ: 'archipel-statement', ...(t.type === 'member.register' ? { jwk: t.signer.publicJwk } : {}), ...extra }, canonicalJson(payload));

  const bodyCases = template.chain((t) => {
    const bad = badValueArb(t);
    return fc.oneof(bodyMutationArb(t), ...(bad ? [bad] : [])).map((m) => () => refuse(`body: ${m.kind} (${t.label})`, signPayload(t, payloadFor(t, m.body))));
  });

  const envelopeCases = fc.tuple(template, fc.nat()).map(([t, n]) => () => {
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

  const encodingCases = fc.tuple(template, fc.nat()).map(([t, n]) => () => {
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

  const headerCases = fc.tuple(template, fc.nat()).map(([t, n]) => () => {
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
      ['revoked key', () => { const k = w.holder.revoked[n % w.holder.revoked.length]; return k.signRaw({ ...base, kid: k.id }, payload); }],
      ['former recovery key', () => { const k = w.holder.formerRecovery[n % w.holder.formerRecovery.length]; return k.signRaw({ ...base, kid: k.id }, payload); }],
      // a recovery key signs only her key additions and revocations (§11): for any other type, or another member's
      ['recovery key', () => (t.type === 'member.key.add' || t.type === 'member.key.revoke' ? w.holder.formerRecovery[0] : w.holder.recovery).signRaw({ ...base, kid: (t.type === 'member.key.add' || t.type === 'member.key.revoke' ? w.holder.formerRecovery[0] : w.holder.recovery).id }, payload)],
      ['jwk on another type, none on a registration', () => t.signer.signRaw(t.type === 'member.register' ? { alg: 'EdDSA', kid: t.signer.id, typ: 'archipel-statement' } : { ...base, jwk: t.signer.publicJwk }, payload)],
    ];
    const [kind, make] = variants[n % variants.length];
    return refuse(`header: ${kind}`, make());
  });

  const semanticCases = fc.nat().map((n) => () => {
    const [A, B] = w.members;
    const H = w.holder;
    const far = formatTimestamp(Date.now() + 86_400_000);
    const proposal = (kind: string, rest: object) => ({ kind, title: 'T', text: 't', closesAt: far, ...rest });
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
      ['vote during the amending phase', () => A.sign('vote.cast', w.X, { proposal: w.motionX, choice: 'yes' })],
      ['yes on a split', () => A.sign('vote.cast', w.Y, { proposal: w.split, choice: 'yes' })],
      ['support under unanimity', () => A.sign('vote.cast', w.Y, { proposal: w.open, choice: 'support' })],
      ['yes under do-ocracy', () => A.sign('vote.cast', w.D, { proposal: w.openD, choice: 'yes' })],
      ['object without a reason', () => A.sign('vote.cast', w.D, { proposal: w.openD, choice: 'object' })],
      ['object with a blank reason', () => A.sign('vote.cast', w.D, { proposal: w.openD, choice: 'object', reason: ' \n\u2028' })],
      ['amendment whose find does not occur', () => A.sign('proposal.open', w.X, proposal('amendment', { closesAt: w.amendmentsCloseAt, target: w.motionX, find: 'zulu', replace: 'x' }) as never)],
      ['amendment whose find occurs twice', () => A.sign('proposal.open', w.X, proposal('amendment', { closesAt: w.amendmentsCloseAt, target: w.motionX, find: 'a', replace: 'x' }) as never)],
      ['amendment closing before the phase ends', () => A.sign('proposal.open', w.X, proposal('amendment', { closesAt: formatTimestamp(Date.parse(w.amendmentsCloseAt) - 1), target: w.motionX, find: 'alpha', replace: 'x' }) as never)],
      ['amendment of a motion under unanimity', () => A.sign('proposal.open', w.Y, proposal('amendment', { target: w.open, find: 'o', replace: 'x' }) as never)],
      ['amendment in another circle', () => A.sign('proposal.open', w.Y, proposal('amendment', { closesAt: w.amendmentsCloseAt, target: w.motionX, find: 'alpha', replace: 'x' }) as never)],
      ['removal of a non-member', () => A.sign('proposal.open', w.Y, proposal('membership', { member: w.outsider.id }) as never)],
      ['doer not a member', () => A.sign('proposal.open', w.Y, proposal('motion', { doer: w.outsider.id }) as never)],
      ['regime params out of range', () => A.sign('proposal.open', w.Y, proposal('regime', { regime: 'unanimity', params: { unanimityQuorum: '3/2' } }) as never)],
      ['proposal by a non-member', () => w.outsider.sign('proposal.open', w.Y, proposal('split', { name: 'S' }) as never)],
      ['delegation in a circle one is not in', () => w.outsider.sign('delegation.set', w.X, { to: A.id, scope: { circle: true } })],
      ['delegation on a closed proposal', () => A.sign('delegation.set', w.Y, { to: B.id, scope: { proposal: w.closed } })],
      ['invite by a non-member', () => w.outsider.sign('member.invite', w.D, { member: w.pending.id })],
      ['accept where one is a member', () => B.sign('member.accept', w.D, {})],
      ['child of an unknown circle', () => A.sign('circle.create', null, { name: 'Child', regime: 'unanimity', parent: randomId16(rand) })],
      ['vote by a revoked key', () => { const k = H.revoked[n % H.revoked.length]; return k.signRaw({ alg: 'EdDSA', kid: k.id, typ: 'archipel-statement' }, canonicalJson({ v: 1, type: 'vote.cast', id: ulid(rand), circle: w.Y, at: formatTimestamp(Date.now()), body: { proposal: w.open, choice: 'yes' } })); }],
      ['vote by a recovery key', () => H.recovery.sign('vote.cast', w.Y, { proposal: w.open, choice: 'yes' })],
      ['recovery set by the recovery key', () => H.recovery.sign('member.recovery.set', null, { member: H.id, jwk: StatementSigner.generate().publicJwk })],
      ['key added by a revoked key', () => H.revoked[0].sign('member.key.add', null, { member: H.id, jwk: StatementSigner.generate().publicJwk })],
      ['key added by a former recovery key', () => H.formerRecovery[0].sign('member.key.add', null, { member: H.id, jwk: StatementSigner.generate().publicJwk })],
      ['revoked key added again', () => H.stable.sign('member.key.add', null, { member: H.id, jwk: H.revoked[n % H.revoked.length].publicJwk })],
      ["another member's key added", () => H.stable.sign('member.key.add', null, { member: H.id, jwk: B.publicJwk })],
      ['own recovery key added', () => H.stable.sign('member.key.add', null, { member: H.id, jwk: H.formerRecovery[0].publicJwk })],
      ['key added for another member', () => H.stable.sign('member.key.add', null, { member: A.id, jwk: StatementSigner.generate().publicJwk })],
      ['key added by an unknown key', () => w.stranger.sign('member.key.add', null, { member: w.stranger.id, jwk: StatementSigner.generate().publicJwk })],
      ['key revoking itself', () => H.stable.sign('member.key.revoke', null, { member: H.id, key: H.stable.id })],
      ['revoked key revoked again', () => H.stable.sign('member.key.revoke', null, { member: H.id, key: H.revoked[0].id })],
      ["another member's key revoked", () => H.stable.sign('member.key.revoke', null, { member: H.id, key: A.id })],
      ['the only key revoked', () => A.sign('member.key.revoke', null, { member: A.id, key: A.id })],
      ['recovery key set to a key in use', () => H.stable.sign('member.recovery.set', null, { member: H.id, jwk: H.spare.publicJwk })],
      ['recovery key set for another member', () => H.stable.sign('member.recovery.set', null, { member: B.id, jwk: StatementSigner.generate().publicJwk })],
      ['registration with a revoked key as recovery', () => StatementSigner.generate().sign('member.register', null, { name: 'R', recovery: H.revoked[0].publicJwk })],
      ['registration of a revoked key', () => H.revoked[0].sign('member.register', null, { name: 'Again' })],
      ['registration of an added key', () => H.spare.sign('member.register', null, { name: 'Again' })],
      ['replay of an accepted statement', () => w.replayable[Math.floor(rand() * w.replayable.length)][1]],
      // ids are unique per signer (§3.3): one A has used before
      ['replayed id, new content', () => { const ids = w.replayable.filter(([, jws]) => kidOf(jws) === A.id); return A.sign('vote.cast', w.Y, { proposal: w.open, choice: 'yes' }, { id: ids[Math.floor(rand() * ids.length)][0] }); }],
    ];
    const [kind, make] = variants[n % variants.length];
    const jws = make();
    return { kind: `rule: ${kind}`, expect: 'refuse' as const, jws, id: kind.startsWith('replay') || kind.startsWith('replayed') ? undefined : tryId(jws) };
  });

  const requestCases = fc.nat().map((n) => () => {
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
    { weight: 4, arbitrary: semanticCases },
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
  const valid = fc.tuple(templateArb(w), nameArb(200)).map(([maker, name]) => (): FuzzCase => {
    let template = maker.live();
    // Each circle created is verified at the end: keep their number bounded. A template whose pool
    // is empty (no invitation to accept yet, no key to revoke) registers a member instead.
    if (template?.type === 'circle.create' && w.createdCircles >= w.maxCreatedCircles) template = null;
    else if (template?.type === 'circle.create') w.createdCircles++;
    if (template === null) {
      const signer = StatementSigner.generate();
      template = { signer, type: 'member.register', circle: null, body: { name }, optional: [], label: 'member.register', settle: (ok) => void (ok && w.fresh.length < 1000 && w.fresh.push(signer)) };
    }
    const jws = sign(template);
    return { kind: `valid ${template.label}`, expect: 'accept' as const, jws, id: payloadOf(jws).id as string, settle: template.settle };
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
export async function runCampaign(w: World, opts: { cases: number; seed: number; concurrency?: number; onProgress?: (done: number, report: CampaignReport) => void }): Promise<CampaignReport> {
  const started = Date.now();
  const concurrency = opts.concurrency ?? 8;
  const makers = fc.sample(caseArb(w), { numRuns: opts.cases, seed: opts.seed });
  const report: CampaignReport = { cases: 0, valid: 0, refused: 0, byCode: {}, byKind: {}, problems: [], refusedIds: new Set(), seconds: 0 };
  for (let i = 0; i < makers.length; i += concurrency) {
    w.inBatch.clear();
    const batch = makers.slice(i, i + concurrency).map((make) => make());
    const outcomes = await Promise.all(batch.map((c) => post(w.api, c)));
    for (const o of outcomes) {
      report.cases++;
      report.byKind[o.case.kind] = (report.byKind[o.case.kind] ?? 0) + 1;
      const problem = judge(o);
      if (problem) report.problems.push({ kind: o.case.kind, detail: problem });
      if (o.status !== 201 && o.case.id) report.refusedIds.add(o.case.id);
      o.case.settle?.(o.status === 201, (o.body ?? {}) as Appended);
      if (o.status === 201 && o.case.jws) {
        const id = payloadOf(o.case.jws).id as string;
        w.accepted.set(id, o.case.jws);
        if (w.replayable.length < 1000) w.replayable.push([id, o.case.jws]);
        else w.replayable[w.replayableKept + Math.floor(Math.random() * (w.replayable.length - w.replayableKept))] = [id, o.case.jws];
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
    report.seconds = (Date.now() - started) / 1000;
    opts.onProgress?.(report.cases, report);
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
