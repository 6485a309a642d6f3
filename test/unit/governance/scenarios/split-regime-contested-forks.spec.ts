// Under the split regime, a third of the votes against is enough to fork.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

const members = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ines'];

function contested(): ReplayedStory {
  const story = new ReplayedStory(members, { regime: 'split' });
  story.delegate('carol', 'alice');
  story.delegate('hugo', 'dave');
  story.open('alice', 'p1', { title: 'Build a kiln' });
  for (const m of ['alice', 'bob']) story.vote(m, 'p1', 'yes');
  for (const m of ['dave', 'erin', 'frank', 'gina']) story.vote(m, 'p1', 'no');
  return story;
}

test('a contested split-regime motion forks; only direct yes voters go to the new circle', () => {
  const story = contested();
  expect(story.tally('p1', { append: true })).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: DEFAULTS,
    outcome: 'forked', // min(3, 5) = 3 ≥ 1/3·8
    totals: { E: 9, Y: 3, N: 5, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
  // carol's yes was delegated: she stays
  expect(story.forkMembers('p1')).toStrictEqual(['alice', 'bob']);
});

test('a yes voter who left before the fork is executed is no longer a member: she does not go', () => {
  const story = contested();
  story.tally('p1', { append: true });
  story.leave('bob');
  expect(story.forkMembers('p1')).toStrictEqual(['alice']);
  // The instance's circle.split must list exactly those: the replay checks it.
  expect(() => story.split('p1', ['alice', 'bob'])).toThrow(expect.objectContaining({ code: 'FORK_MISMATCH' }));
  story.split('p1', ['alice']);
  expect(story.replay.forks).toBe(1);
});
