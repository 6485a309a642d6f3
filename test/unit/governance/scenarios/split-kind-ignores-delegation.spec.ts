// An explicit split proposal: exit is a right, nobody leaves by delegation.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('a split proposal counts only direct leave/stay choices and forks as soon as one member leaves', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol', 'dave', 'erin'], { regime: 'unanimity' }); // the circle's regime does not decide a split
  story.delegate('bob', 'alice');
  story.open('alice', 'p1', { kind: 'split' });
  story.delegate('dave', 'carol', { proposal: 'p1' });
  story.vote('alice', 'p1', 'leave');
  story.vote('carol', 'p1', 'stay');
  story.vote('erin', 'p1', 'leave');
  expect(story.tally('p1', { append: true })).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'forked',
    totals: { E: 5, Y: 2, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 2, // bob and dave stay without having chosen
  });
  expect(story.forkMembers('p1')).toStrictEqual(['alice', 'erin']);
});

test('nobody leaving rejects the split', () => {
  const story = new ReplayedStory(['alice', 'bob'], { regime: 'split' });
  story.open('alice', 'p1', { kind: 'split' });
  story.vote('alice', 'p1', 'stay');
  expect(story.tally('p1', { append: true })).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 2, Y: 0, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
  expect(story.forkMembers('p1')).toBeUndefined();
});
