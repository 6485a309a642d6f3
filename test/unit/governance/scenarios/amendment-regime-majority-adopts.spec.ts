// A motion under the amendment regime: two amendments were adopted during
// the amending phase; the second no longer matches once the first applied.
import { applyAmendments } from '../../../../src/core/governance/amendments';
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

test('a simple majority above majorityQuorum adopts the amended motion; void amendments are recorded', () => {
  const amended = applyAmendments('We paint the shed green in May.', [
    { id: 'a1', find: 'green', replace: 'blue' },
    { id: 'a2', find: 'green in May', replace: 'red in June' },
  ]);
  expect(amended).toStrictEqual({ text: 'We paint the shed blue in May.', applied: ['a1'], void: ['a2'] });

  const eligible = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ines', 'jules'];
  const story = new ReplayedStory(eligible, { regime: 'amendment' });
  story.delegate('erin', 'alice');
  story.open('alice', 'p1', { text: 'We paint the shed green in May.' });
  story.open('bob', 'a1', { kind: 'amendment', target: 'p1', find: 'green', replace: 'blue' });
  story.open('carol', 'a2', { kind: 'amendment', target: 'p1', find: 'green in May', replace: 'red in June' });
  for (const a of ['a1', 'a2']) for (const m of ['alice', 'bob', 'carol']) story.vote(m, a, 'yes');
  expect(story.tally('a1', { append: true }).outcome).toBe('adopted');
  expect(story.tally('a2', { append: true }).outcome).toBe('adopted');
  story.vote('alice', 'p1', 'yes');
  story.vote('bob', 'p1', 'yes');
  story.vote('carol', 'p1', 'no');
  story.vote('dave', 'p1', 'abstain');
  expect(story.tally('p1', { append: true })).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted', // 3 > 1 and 5 ≥ 0.2·10
    totals: { E: 10, Y: 3, N: 1, A: 1, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 5,
    void: ['a2'],
  });
});
