// alice trusts carol on the budget and bob otherwise; topics match exactly.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('a topic-scoped delegation for the proposal’s topic beats the circle-scoped one; topics match exactly', () => {
  const story = new ReplayedStory(['alice', 'bob', 'carol', 'dave', 'erin'], { regime: 'amendment' });
  story.delegate('alice', 'bob', { circle: true });
  story.delegate('alice', 'carol', { topic: 'budget' });
  // "Budget" is not "budget": dave's circle-scoped delegation applies
  story.delegate('dave', 'bob', { circle: true });
  story.delegate('dave', 'carol', { topic: 'Budget' });
  story.open('alice', 'p1', { topic: 'budget' });
  // The same delegations on a proposal without a topic: alice and dave follow bob.
  story.open('alice', 'untopical');
  for (const p of ['p1', 'untopical']) {
    story.vote('bob', p, 'yes');
    story.vote('carol', p, 'no');
    story.vote('erin', p, 'no');
  }
  expect(story.tally('p1')).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 5, Y: 2, N: 3, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
  const untopical = story.tally('untopical');
  expect(untopical.totals).toStrictEqual({ E: 5, Y: 3, N: 2, A: 0, O: 0 });
  expect(untopical.absent).toBe(0);
});
