// alice → bob → carol: carol's direct yes carries all three weights.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('a chain of delegations carries weight hop by hop to the member who voted', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol', 'dave', 'erin'], { regime: 'amendment' });
  story.delegate('alice', 'bob');
  story.delegate('bob', 'carol');
  story.open('alice', 'p1');
  story.vote('carol', 'p1', 'yes');
  story.vote('dave', 'p1', 'no');
  // erin neither votes nor delegates
  expect(story.tally('p1', { append: true })).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 5, Y: 3, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
  expect(story.replay.tallies).toBe(1);
});
