// alice delegates to bob, then revokes it and does not vote.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('a revoked delegation leaves a member who did not vote absent', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol'], { regime: 'amendment' });
  story.delegate('alice', 'bob', { circle: true });
  story.delegate('carol', 'bob', { circle: true });
  story.delegate('carol', 'bob', { topic: 'roads' });
  story.open('alice', 'p1', { topic: 'roads' });
  story.revoke('alice', { circle: true });
  story.revoke('carol', { topic: 'roads' }); // her circle scope remains
  story.vote('bob', 'p1', 'yes');
  expect(story.tally('p1')).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 3, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
