// alice delegates to bob for the whole circle but votes herself: her vote
// counts, and it is hers that carol (who delegates to alice) follows.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a direct vote overrides the voter’s own delegation, and her delegators follow her vote', () => {
  const result = replayStory(
    snapshot({
      regime: 'amendment',
      eligible: ['alice', 'bob', 'carol'],
      delegations: { alice: { circle: 'bob', proposal: 'bob' }, carol: { circle: 'alice' } },
      votes: { alice: 'no', bob: 'yes' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 3, Y: 1, N: 2, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
