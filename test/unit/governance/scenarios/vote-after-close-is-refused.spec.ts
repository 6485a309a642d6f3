// SPEC §5.1, §10: a vote recorded at closesAt or later is after close and refused; one recorded a
// millisecond before is accepted. A proposal with its tally.result refuses votes whatever the clock.
import { DomainError } from '../../../../src/core/rules/domain-error';
import { decideVoteCast, decideVoteRetract } from '../../../../src/core/rules/vote-rules';
import { openMotion, stateOf } from '../story';

const closesAt = Date.parse('2030-01-01T12:00:00.000Z');
const proposal = openMotion(closesAt);
const vote = { v: 1, type: 'vote.cast', id: '01J00000000000000000000000', circle: 'c1', at: '2030-01-01T12:00:00.000Z', body: { proposal: 'p1', choice: 'yes' } } as never;
const retract = { v: 1, type: 'vote.retract', id: '01J00000000000000000000001', circle: 'c1', at: '2030-01-01T12:00:00.000Z', body: { proposal: 'p1' } } as never;
const world = { circle: 'c1', members: ['alice', 'bob'], eligible: ['alice', 'bob'] };

function refusal(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return undefined;
}

test('a vote one millisecond before closesAt counts', () => {
  const decision = decideVoteCast(vote, 'alice', closesAt - 1, stateOf({ ...world, proposal }));
  expect(decision.effects).toStrictEqual([{ kind: 'vote.set', proposal: 'p1', member: 'alice', choice: 'yes', reason: null, at: closesAt - 1 }]);
});

test('a vote recorded exactly at closesAt, or later, is refused with PROPOSAL_CLOSED', () => {
  expect(refusal(() => decideVoteCast(vote, 'alice', closesAt, stateOf({ ...world, proposal })))).toBe('PROPOSAL_CLOSED');
  expect(refusal(() => decideVoteCast(vote, 'alice', closesAt + 60_000, stateOf({ ...world, proposal })))).toBe('PROPOSAL_CLOSED');
  expect(refusal(() => decideVoteRetract(retract, 'alice', closesAt, stateOf({ ...world, proposal })))).toBe('PROPOSAL_CLOSED');
});

test('once tallied, a proposal refuses votes even if a clock says it is still early', () => {
  expect(refusal(() => decideVoteCast(vote, 'alice', closesAt - 10, stateOf({ ...world, proposal: { ...proposal, closed: true } })))).toBe('PROPOSAL_CLOSED');
});
