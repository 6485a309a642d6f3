import {
  MEMBER_TYPES,
  STATEMENT_TYPES,
  SYSTEM_TYPES,
  validatePayload,
} from '../../../src/core/formats/statement-types';
import {
  CIRCLE,
  id16,
  id32,
  MEMBER,
  PROPOSAL,
  SAMPLE_BODIES,
  SAMPLE_PROPOSALS,
  SAMPLE_RATIFICATION,
  payloadOf,
} from './samples';

function refusal(value: unknown, signer?: 'member' | 'system') {
  const result = validatePayload(value, signer);
  if (result.ok) throw new Error('expected a refusal');
  return result;
}

describe('statement catalogue', () => {
  it('gives every type a signer, and only proposal.open to both', () => {
    const all = new Set<string>([...MEMBER_TYPES, ...SYSTEM_TYPES]);
    expect([...all].sort()).toEqual([...STATEMENT_TYPES].sort());
    expect(MEMBER_TYPES.filter((t) => (SYSTEM_TYPES as readonly string[]).includes(t))).toEqual(['proposal.open']);
  });
});

describe('validatePayload: happy paths', () => {
  it.each(STATEMENT_TYPES)('accepts a well-formed %s', (type) => {
    const value = payloadOf(type, SAMPLE_BODIES[type]);
    const result = validatePayload(value);
    expect(result).toEqual({ ok: true, payload: value });
  });

  it.each(SAMPLE_PROPOSALS.map((b) => [`${b.kind}${'doer' in b ? ' with doer' : ''}`, b] as const))(
    'accepts a proposal.open %s',
    (_label, body) => {
      expect(validatePayload(payloadOf('proposal.open', body), 'member').ok).toBe(true);
    },
  );

  it('accepts a system-opened ratification motion', () => {
    expect(validatePayload(payloadOf('proposal.open', SAMPLE_RATIFICATION), 'system').ok).toBe(true);
  });

  it.each([[{ circle: true }], [{ topic: 'roads' }], [{ proposal: PROPOSAL }]])('accepts the delegation scope %j', (scope) => {
    expect(validatePayload(payloadOf('delegation.set', { to: MEMBER, scope })).ok).toBe(true);
    expect(validatePayload(payloadOf('delegation.revoke', { scope })).ok).toBe(true);
  });

  it('accepts seen, a root circle (no parent), and a tally with void amendments', () => {
    const seen = { size: 0, root: id32('empty') };
    expect(validatePayload(payloadOf('vote.retract', { proposal: PROPOSAL }, { seen })).ok).toBe(true);
    expect(validatePayload(payloadOf('circle.create', { name: 'Root', regime: 'unanimity' })).ok).toBe(true);
    const tally = { ...SAMPLE_BODIES['tally.result'], void: [id16('a1')] };
    expect(validatePayload(payloadOf('tally.result', tally)).ok).toBe(true);
  });

  it('counts limits in code points, not UTF-16 units', () => {
    expect(validatePayload(payloadOf('member.register', { name: '🌳'.repeat(200) })).ok).toBe(true);
    expect(refusal(payloadOf('member.register', { name: '🌳'.repeat(201) })).field).toBe('body.name');
  });
});

describe('validatePayload: envelope refusals', () => {
  const vote = SAMPLE_BODIES['vote.cast'];
  it.each([
    ['v 2', { v: 2 }, 'v'],
    ['unknown type', { type: 'vote.cancel' }, 'type'],
    ['lower-case ULID', { id: '01jnkq8z3w5x7y9a0b1c2d3e4f' }, 'id'],
    ['ULID with I', { id: '01JNKQ8Z3W5X7Y9A0B1C2D3EIF' }, 'id'],
    ['ULID overflow', { id: '81JNKQ8Z3W5X7Y9A0B1C2D3E4F' }, 'id'],
    ['short ULID', { id: '01JNKQ8Z3W5X7Y9A0B1C2D3E4' }, 'id'],
    ['timestamp without ms', { at: '2026-03-01T12:00:00Z' }, 'at'],
    ['timestamp with offset', { at: '2026-03-01T12:00:00.000+00:00' }, 'at'],
    ['timestamp lower-case', { at: '2026-03-01t12:00:00.000z' }, 'at'],
    ['impossible date', { at: '2026-02-30T12:00:00.000Z' }, 'at'],
    ['timestamp as number', { at: 1772366400000 }, 'at'],
    ['circle too short', { circle: CIRCLE.slice(1) }, 'circle'],
    ['circle null on a vote', { circle: null }, 'circle'],
    ['unknown payload member', { extra: 1 }, 'extra'],
    ['seen with extra member', { seen: { size: 1, root: id32('r'), at: 'x' } }, 'seen.at'],
    ['seen negative size', { seen: { size: -1, root: id32('r') } }, 'seen.size'],
    ['seen fractional size', { seen: { size: 1.5, root: id32('r') } }, 'seen.size'],
  ])('refuses %s', (_label, extra, field) => {
    expect(refusal(payloadOf('vote.cast', vote, extra)).field).toBe(field);
  });

  it('refuses a missing envelope member', () => {
    const { at: _at, ...rest } = payloadOf('vote.cast', vote);
    expect(refusal(rest).field).toBe('at');
  });

  it('refuses a circle on member.register, circle.create and circle.forked', () => {
    for (const type of ['member.register', 'circle.create', 'circle.forked'] as const) {
      expect(refusal(payloadOf(type, SAMPLE_BODIES[type], { circle: CIRCLE })).field).toBe('circle');
    }
  });

  it('refuses seen outside any circle', () => {
    const seen = { size: 1, root: id32('r') };
    expect(refusal(payloadOf('member.register', { name: 'Ada' }, { seen })).field).toBe('seen');
  });

  it.each([null, [], 'x', 1])('refuses a payload that is not an object: %j', (value) => {
    expect(refusal(value).ok).toBe(false);
  });
});

describe('validatePayload: body refusals', () => {
  it.each([
    ['unknown body member', 'vote.cast', { ...SAMPLE_BODIES['vote.cast'], weight: 2 }, 'body.weight'],
    ['missing body member', 'vote.cast', { choice: 'yes' }, 'body.proposal'],
    ['unknown choice', 'vote.cast', { proposal: PROPOSAL, choice: 'maybe' }, 'body.choice'],
    ['empty reason', 'vote.cast', { proposal: PROPOSAL, choice: 'object', reason: '' }, 'body.reason'],
    ['long reason', 'vote.cast', { proposal: PROPOSAL, choice: 'object', reason: 'x'.repeat(2001) }, 'body.reason'],
    ['member on member.accept', 'member.accept', { member: MEMBER }, 'body.member'],
    ['empty name', 'member.register', { name: '' }, 'body.name'],
    ['newline in name', 'member.register', { name: 'Ada\nLovelace' }, 'body.name'],
    ['long name', 'member.register', { name: 'x'.repeat(201) }, 'body.name'],
    ['unknown regime', 'circle.create', { name: 'C', regime: 'majority' }, 'body.regime'],
    ['null parent', 'circle.create', { name: 'C', regime: 'split', parent: null }, 'body.parent'],
    ['nested params', 'circle.create', { name: 'C', regime: 'split', params: { a: { b: 1 } } }, 'body.params.a'],
    ['bad member id', 'member.invite', { member: 'nobody' }, 'body.member'],
    ['scope circle false', 'delegation.set', { to: MEMBER, scope: { circle: false } }, 'body.scope'],
    ['two scopes', 'delegation.set', { to: MEMBER, scope: { circle: true, topic: 't' } }, 'body.scope'],
    ['long topic scope', 'delegation.revoke', { scope: { topic: 'x'.repeat(101) } }, 'body.scope.topic'],
    ['position not a regime', 'regime.position', { position: 'anarchy' }, 'body.position'],
    ['genesis extra', 'child.created', { child: id16('c'), genesis: { leaf: id32('l'), seq: 0 } }, 'body.genesis.seq'],
    ['negative totals', 'tally.result', { ...SAMPLE_BODIES['tally.result'], totals: { E: 1, Y: -1, N: 0, A: 0, O: 0 } }, 'body.totals.Y'],
    ['unknown outcome', 'tally.result', { ...SAMPLE_BODIES['tally.result'], outcome: 'tied' }, 'body.outcome'],
    ['fork without members', 'circle.forked', { ...SAMPLE_BODIES['circle.forked'], members: [] }, 'body.members'],
    ['fork missing cause', 'circle.forked', { ...SAMPLE_BODIES['circle.forked'], cause: undefined }, 'body.cause'],
    ['cursor weights extra', 'regime.changed', { ...SAMPLE_BODIES['regime.changed'], weights: { ...SAMPLE_BODIES['regime.changed'].weights, x: 1 } }, 'body.weights.x'],
    ['proof not hashes', 'child.decision', { ...SAMPLE_BODIES['child.decision'], proof: ['AAAA'] }, 'body.proof.0'],
  ] as const)('refuses %s', (_label, type, body, field) => {
    expect(refusal(payloadOf(type, body)).field).toBe(field);
  });
});

describe('validatePayload: proposal.open', () => {
  const motion = SAMPLE_BODIES['proposal.open'];
  it.each([
    ['unknown kind', { ...motion, kind: 'poll' }, 'body.kind'],
    ['missing kind', { title: 'x', text: '', closesAt: motion.closesAt }, 'body.kind'],
    ['empty title', { ...motion, title: '' }, 'body.title'],
    ['long title', { ...motion, title: 'x'.repeat(301) }, 'body.title'],
    ['long text', { ...motion, text: 'x'.repeat(20_001) }, 'body.text'],
    ['bad closesAt', { ...motion, closesAt: '2026-03-02' }, 'body.closesAt'],
    ['ratify not boolean', { ...motion, ratify: 'yes' }, 'body.ratify'],
    ['member of another kind', { ...motion, target: PROPOSAL }, 'body.target'],
    ['amendment without find', { kind: 'amendment', title: 'a', text: '', closesAt: motion.closesAt, target: PROPOSAL, replace: 'x' }, 'body.find'],
    ['regime without params', { kind: 'regime', title: 'a', text: '', closesAt: motion.closesAt, regime: 'split' }, 'body.params'],
    ['ratify on a split', { kind: 'split', title: 'a', text: '', closesAt: motion.closesAt, name: 'n', ratify: true }, 'body.ratify'],
    ['both ratify and ratifies', { ...SAMPLE_RATIFICATION, ratify: true }, 'body.ratify'],
  ])('refuses %s', (_label, body, field) => {
    expect(refusal(payloadOf('proposal.open', body)).field).toBe(field);
  });

  it('refuses ratifies from a member', () => {
    expect(refusal(payloadOf('proposal.open', SAMPLE_RATIFICATION), 'member').field).toBe('body.ratifies');
  });

  it('refuses a system-opened proposal that is not a ratification motion', () => {
    expect(refusal(payloadOf('proposal.open', motion), 'system').field).toBe('body.ratifies');
    expect(refusal(payloadOf('proposal.open', SAMPLE_PROPOSALS[4]), 'system').field).toBe('body.kind');
    expect(refusal(payloadOf('proposal.open', { ...SAMPLE_RATIFICATION, topic: 'x' }), 'system').field).toBe('body.topic');
  });
});
