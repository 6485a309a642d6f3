// alice changes her mind twice; bob's second vote lands exactly at closesAt.
import { DEFAULTS } from '../story';
import { CLOSES, ReplayedStory } from '../replayed-story';

test('the last vote before close counts; an entry recorded at closesAt is after close', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol'], { regime: 'amendment' });
  story.open('alice', 'p1');
  story.open('alice', 'p2');
  story.vote('alice', 'p1', 'no');
  story.vote('bob', 'p1', 'no');
  story.vote('alice', 'p2', 'no');
  story.vote('alice', 'p1', 'abstain');
  story.at(CLOSES - 1).vote('alice', 'p1', 'yes');
  expect(() => story.at(CLOSES).vote('bob', 'p1', 'yes')).toThrow(expect.objectContaining({ code: 'PROPOSAL_CLOSED' }));
  expect(story.tally('p1')).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected', // 1 yes, 1 no: a tie
    totals: { E: 3, Y: 1, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
