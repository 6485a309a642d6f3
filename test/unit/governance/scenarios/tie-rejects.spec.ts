// Two for, two against.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a tie rejects under the amendment regime', () => {
  const result = replayStory(
    snapshot({
      regime: 'amendment',
      eligible: ['alice', 'bob', 'carol', 'dave', 'erin'],
      votes: { alice: 'yes', bob: 'yes', carol: 'no', dave: 'no', erin: 'abstain' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 5, Y: 2, N: 2, A: 1, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});

test('a tie under the split regime with splitShare above one half cannot fork and rejects', () => {
  const params = { splitShare: '2/3' };
  const result = replayStory(
    snapshot({ regime: 'split', params, eligible: ['alice', 'bob'], votes: { alice: 'yes', bob: 'no' } }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: { ...DEFAULTS, splitShare: '2/3' },
    outcome: 'rejected',
    totals: { E: 2, Y: 1, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
