// alice delegates to bob, votes no herself, then retracts her vote.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('retracting a direct vote lets the delegation apply again', () => {
  const story = new ReplayedStory(['alice', 'bob'], { regime: 'unanimity' });
  story.delegate('alice', 'bob');
  story.open('alice', 'p1');
  story.vote('bob', 'p1', 'yes');
  story.vote('alice', 'p1', 'no');
  story.retract('alice', 'p1');
  expect(story.tally('p1')).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 2, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
