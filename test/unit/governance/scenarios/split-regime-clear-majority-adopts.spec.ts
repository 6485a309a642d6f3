// Under the split regime, a small minority does not fork: the majority decides.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ines'];

test('a clear majority under the split regime adopts without forking', () => {
  const result = replayStory(
    snapshot({
      regime: 'split',
      eligible,
      votes: { alice: 'yes', bob: 'yes', carol: 'yes', dave: 'yes', erin: 'yes', frank: 'yes', gina: 'yes', hugo: 'no', ines: 'no' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: DEFAULTS,
    outcome: 'adopted', // min(7, 2) = 2 < 1/3·9 = 3, and 7 > 2
    totals: { E: 9, Y: 7, N: 2, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});

test('the same clear majority against rejects', () => {
  const result = replayStory(
    snapshot({ regime: 'split', eligible, votes: { alice: 'no', bob: 'no', carol: 'no', dave: 'yes', erin: 'abstain' } }),
  );
  expect(result.outcome).toBe('rejected'); // min(1, 3) = 1 < 4/3
});
