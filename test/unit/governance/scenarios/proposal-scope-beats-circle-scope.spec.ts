// alice trusts bob in general but carol on this one proposal.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('a proposal-scoped delegation takes precedence over topic- and circle-scoped ones', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol', 'dave'], { regime: 'amendment' });
  story.open('alice', 'p1', { topic: 'garden' });
  story.open('alice', 'p2', { topic: 'garden' });
  story.delegate('alice', 'bob', { circle: true });
  story.delegate('alice', 'bob', { topic: 'garden' });
  story.delegate('alice', 'carol', { proposal: 'p1' });
  // a proposal-scoped delegation for another proposal does not apply here
  story.delegate('dave', 'carol', { proposal: 'p2' });
  story.delegate('dave', 'bob', { circle: true });
  story.vote('bob', 'p1', 'yes');
  story.vote('carol', 'p1', 'no');
  expect(story.tally('p1')).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected', // alice's weight goes to carol: 2 yes (bob, dave), 2 no — a tie
    totals: { E: 4, Y: 2, N: 2, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
