// Four yes and one no under unanimity.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a single no rejects under unanimity', () => {
  const result = replayStory(
    snapshot({
      regime: 'unanimity',
      eligible: ['alice', 'bob', 'carol', 'dave', 'erin'],
      votes: { alice: 'yes', bob: 'yes', carol: 'yes', dave: 'yes', erin: 'no' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 5, Y: 4, N: 1, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
