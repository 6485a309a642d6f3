// SPEC §5.1: the eligible members are the circle's members just before the opening entry. zed joins
// after the opening: a member now, but his vote on this proposal is refused and he is not in E.
// carol leaves after the opening: she stays eligible, and her vote cast before leaving counts.
import { DomainError } from '../../../../src/core/rules/domain-error';
import { ReplayedStory } from '../replayed-story';
import { decideVoteCast } from '../../../../src/core/rules/vote-rules';
import { DEFAULTS, openMotion, stateOf } from '../story';

const closesAt = Date.parse('2030-01-01T12:00:00.000Z');
const proposal = openMotion(closesAt, { openedSeq: 5 });
const vote = { v: 1, type: 'vote.cast', id: '01J00000000000000000000000', circle: 'c1', at: '2030-01-01T11:00:00.000Z', body: { proposal: 'p1', choice: 'yes' } } as never;
// Now: zed has joined, carol has left. At the opening: alice, bob, carol.
const state = stateOf({ circle: 'c1', members: ['alice', 'bob', 'zed'], eligible: ['alice', 'bob', 'carol'], proposal });

test('a member who joined after the opening may not vote on it', () => {
  let code: string | undefined;
  try {
    decideVoteCast(vote, 'zed', closesAt - 1000, state);
  } catch (e) {
    code = (e as DomainError).code;
  }
  expect(code).toBe('NOT_ELIGIBLE');
  expect(decideVoteCast(vote, 'alice', closesAt - 1000, state).effects).toHaveLength(1);
});

test('the tally counts those eligible at opening only, including one who left since', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol', 'zed'], { regime: 'unanimity', join: ['bob', 'carol'] });
  story.open('alice', 'p1');
  story.join('zed');
  story.vote('alice', 'p1', 'yes');
  story.vote('bob', 'p1', 'yes');
  story.vote('carol', 'p1', 'yes');
  story.leave('carol');
  expect(() => story.vote('zed', 'p1', 'no')).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
  const body = story.tally('p1', { append: true });
  expect(body).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'adopted', // zed's "no" is not counted: he was not a member when it opened
    totals: { E: 3, Y: 3, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
