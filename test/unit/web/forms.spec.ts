import { delegationScope, invitationLink, kindsFor, proposalBody, voteBody, voteChoices, type ProposalForm } from '../../../src/web/lib/forms';

const NOW = Date.parse('2026-12-05T10:00:00.000Z');
const base: ProposalForm = { kind: 'motion', title: 'Oven', text: 'We buy a red oven.', topic: '', minutes: 60 };

describe('web forms: proposal.open bodies', () => {
  it('builds a motion closing `minutes` from now, without a topic when none is given', () => {
    const r = proposalBody(base, NOW);
    expect(r).toEqual({ ok: true, value: { kind: 'motion', title: 'Oven', text: 'We buy a red oven.', closesAt: '2026-12-05T11:00:00.000Z' } });
  });

  it('keeps a trimmed topic and asks for ratification only when ticked', () => {
    const r = proposalBody({ ...base, topic: '  budget ', ratify: true }, NOW);
    expect(r.ok && r.value).toMatchObject({ topic: 'budget', ratify: true });
  });

  it('names every missing field', () => {
    const r = proposalBody({ ...base, title: ' ', text: '', minutes: 0 }, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => `${e.field}:${e.key}`)).toEqual(['title:required', 'text:required', 'minutes:positive']);
  });

  it('an amendment closes with its motion’s amending phase and its find must occur exactly once', () => {
    const target = 'QAAAAAAAAAAAAAAAAAAAAA';
    const amendment: ProposalForm = { ...base, kind: 'amendment', target, targetText: 'red oven, red door', targetAmendmentsCloseAt: '2026-12-05T10:30:00.000Z', find: 'red', replace: 'blue' };
    const twice = proposalBody(amendment, NOW);
    expect(!twice.ok && twice.errors).toEqual([{ field: 'find', key: 'findOnce' }]);
    const once = proposalBody({ ...amendment, find: 'red oven' }, NOW);
    expect(once.ok && once.value).toMatchObject({ kind: 'amendment', target, find: 'red oven', replace: 'blue', closesAt: '2026-12-05T10:30:00.000Z' });
  });

  it('regime, membership and split bodies carry their own member', () => {
    expect(proposalBody({ ...base, kind: 'regime', regime: 'do-ocracy' }, NOW)).toMatchObject({ ok: true, value: { kind: 'regime', regime: 'do-ocracy', params: {} } });
    expect(proposalBody({ ...base, kind: 'split', name: ' ' }, NOW)).toEqual({ ok: false, errors: [{ field: 'name', key: 'required' }] });
    expect(proposalBody({ ...base, kind: 'split', name: 'Bakery' }, NOW)).toMatchObject({ ok: true, value: { kind: 'split', name: 'Bakery' } });
    const bad = proposalBody({ ...base, kind: 'membership', member: 'not-an-id' }, NOW);
    expect(!bad.ok && bad.errors).toEqual([{ field: 'member', key: 'invalid' }]);
  });

  it('offers amendments only under the amendment regime with a motion still amending', () => {
    expect(kindsFor('amendment', true)).toEqual(['motion', 'amendment', 'regime', 'membership', 'split']);
    expect(kindsFor('amendment', false)).not.toContain('amendment');
    expect(kindsFor('unanimity', true)).not.toContain('amendment');
  });
});

describe('web forms: votes and delegations', () => {
  const P = 'QAAAAAAAAAAAAAAAAAAAAA';
  it('offers the regime’s choices', () => {
    expect(voteChoices('motion', 'do-ocracy')).toEqual(['support', 'object', 'abstain']);
    expect(voteChoices('split', 'unanimity')).toEqual(['leave', 'stay']);
    expect(voteChoices('motion', 'amendment')).toEqual(['yes', 'no', 'abstain']);
  });

  it('requires a reason to object, and keeps it trimmed', () => {
    expect(voteBody(P, 'object', '  ')).toEqual({ ok: false, errors: [{ field: 'reason', key: 'reasonRequired' }] });
    expect(voteBody(P, 'object', ' too loud ')).toEqual({ ok: true, value: { proposal: P, choice: 'object', reason: 'too loud' } });
    expect(voteBody(P, 'yes', '')).toEqual({ ok: true, value: { proposal: P, choice: 'yes' } });
    expect(voteBody(P, 'maybe', '').ok).toBe(false);
  });

  it('writes each delegation scope as SPEC §4 has it', () => {
    expect(delegationScope({ kind: 'circle' })).toEqual({ circle: true });
    expect(delegationScope({ kind: 'topic', topic: ' food ' })).toEqual({ topic: 'food' });
    expect(delegationScope({ kind: 'proposal', proposal: P })).toEqual({ proposal: P });
  });

  it('an invitation link carries the member id', () => {
    expect(invitationLink('http://localhost:3000', 'a-b_c')).toBe('http://localhost:3000/join/a-b_c');
  });
});
