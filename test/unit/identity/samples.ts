// Sample values for statement tests: a well-formed body of every statement type.
import { createHash } from 'node:crypto';
import { BodyOf, hasNullCircle, StatementType } from '../../../src/core/formats/statement-types';
import { DEFAULT_PARAMS } from '../../../src/core/governance/params';

const digest = (label: string) => createHash('sha256').update(label).digest();
/** a 22-character circle or proposal id */
export const id16 = (label: string): string => digest(label).subarray(0, 16).toString('base64url');
/** a 43-character member id or hash */
export const id32 = (label: string): string => digest(label).toString('base64url');

export const CIRCLE = id16('circle');
export const PROPOSAL = id16('proposal');
export const MEMBER = id32('member');
export const OTHER = id32('other');
export const AT = '2026-03-01T12:00:00.000Z';
export const CLOSES = '2026-03-02T12:00:00.000Z';
export const ULID = '01JNKQ8Z3W5X7Y9A0B1C2D3E4F';
const NOTE = 'archipel.test/circles/x\n3\nAAAA\n\n— archipel.test AAAA\n';
const PARAMS = { ...DEFAULT_PARAMS };

/** One valid body per statement type (proposal.open as a member-opened motion). */
export const SAMPLE_BODIES: { [T in StatementType]: BodyOf<T> } = {
  'member.register': { name: 'Ada' },
  'member.key.add': { member: MEMBER, jwk: { crv: 'Ed25519', kty: 'OKP', x: id32('new key') } },
  'member.key.revoke': { member: MEMBER, key: OTHER },
  'member.recovery.set': { member: MEMBER, jwk: { crv: 'Ed25519', kty: 'OKP', x: id32('recovery key') } },
  'circle.create': { name: 'Garden', parent: CIRCLE, regime: 'do-ocracy', params: { objectionShare: '1/5' } },
  'child.created': { child: id16('child'), genesis: { leaf: id32('leaf') } },
  'member.invite': { member: MEMBER },
  'member.accept': {},
  'member.leave': {},
  'proposal.open': { kind: 'motion', title: 'Plant trees', text: 'We plant ten trees.', closesAt: CLOSES, ratify: true },
  'vote.cast': { proposal: PROPOSAL, choice: 'object', reason: 'Too many trees.' },
  'vote.retract': { proposal: PROPOSAL },
  'delegation.set': { to: MEMBER, scope: { topic: 'garden' } },
  'delegation.revoke': { scope: { circle: true } },
  'regime.position': { position: 'amendment' },
  'tally.result': {
    proposal: PROPOSAL,
    regime: 'unanimity',
    params: PARAMS,
    outcome: 'adopted',
    totals: { E: 5, Y: 3, N: 0, A: 1, O: 0 },
    lost: { weight: 1, cycles: [[MEMBER, OTHER]] },
    absent: 0,
  },
  'child.decision': {
    child: id16('child'),
    proposal: PROPOSAL,
    outcome: 'adopted',
    entry: { seq: 7, leaf: id32('leaf') },
    checkpoint: NOTE,
    proof: [id32('p1'), id32('p2')],
  },
  'circle.split': { newCircle: id16('new'), members: [MEMBER], cause: PROPOSAL },
  'circle.forked': {
    from: CIRCLE,
    atSeq: 12,
    atLeaf: id32('at'),
    checkpoint: NOTE,
    name: 'Garden (fork)',
    parent: null,
    regime: 'split',
    params: PARAMS,
    members: [MEMBER, OTHER],
    delegations: [id32('d1')],
    cause: PROPOSAL,
  },
  'regime.changed': {
    from: 'unanimity',
    to: 'do-ocracy',
    weights: { unanimity: 1, 'do-ocracy': 3, amendment: 0, split: 0 },
    cast: 4,
    E: 6,
  },
};

/** The other proposal kinds, each valid. */
export const SAMPLE_PROPOSALS: BodyOf<'proposal.open'>[] = [
  { kind: 'motion', title: 'Plain', text: '', closesAt: CLOSES },
  { kind: 'motion', title: 'Do it', text: 'I will paint the door.', topic: 'maintenance', closesAt: CLOSES, doer: MEMBER },
  { kind: 'amendment', title: 'Fewer', text: 'Ten is a lot.', closesAt: CLOSES, target: PROPOSAL, find: 'ten', replace: 'five' },
  { kind: 'regime', title: 'Go do-ocracy', text: '', closesAt: CLOSES, regime: 'do-ocracy', params: { objectionShare: 0.2 } },
  { kind: 'membership', title: 'Remove', text: 'Spam.', closesAt: CLOSES, member: MEMBER },
  { kind: 'split', title: 'Part ways', text: '', closesAt: CLOSES, name: 'Orchard' },
];

/** A system-opened ratification motion (§8). */
export const SAMPLE_RATIFICATION: BodyOf<'proposal.open'> = {
  kind: 'motion',
  title: 'Plant trees',
  text: 'We plant ten trees.',
  topic: null,
  closesAt: CLOSES,
  ratifies: { circle: id16('child'), proposal: PROPOSAL },
};

export const circleFor = (type: StatementType): string | null =>
  hasNullCircle(type) ? null : CIRCLE;

/** A payload object around `body`, for direct schema tests. */
export function payloadOf(type: StatementType, body: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, type, id: ULID, circle: circleFor(type), at: AT, body, ...extra };
}
