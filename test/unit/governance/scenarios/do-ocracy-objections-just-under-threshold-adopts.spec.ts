// A circle of 30 under do-ocracy (objectionShare 0.1): the bar is 3 objections.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = Array.from({ length: 30 }, (_, i) => `member${String(i).padStart(2, '0')}`);

test('two objections out of 30 stay under objectionShare·E = 3: adopted', () => {
  const result = replayStory(
    snapshot({
      regime: 'do-ocracy',
      eligible,
      votes: { member00: 'support', member01: 'support', member02: 'object', member03: 'object', member04: 'abstain' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'do-ocracy',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 30, Y: 2, N: 0, A: 1, O: 2 },
    lost: { weight: 0, cycles: [] },
    absent: 25,
  });
});
