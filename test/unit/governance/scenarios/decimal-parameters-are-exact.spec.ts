// objectionShare 0.07 in a circle of 100: the bar is exactly 7 objections,
// although 0.07 * 100 is 7.000000000000001 in binary floating point.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a decimal parameter is the exact decimal written, never a binary float', () => {
  expect(0.07 * 100).toBeGreaterThan(7); // the trap a float comparison falls into
  const eligible = Array.from({ length: 100 }, (_, i) => `m${String(i).padStart(3, '0')}`);
  const votes = Object.fromEntries(eligible.slice(0, 7).map((m) => [m, 'object']));
  const result = replayStory(snapshot({ regime: 'do-ocracy', params: { objectionShare: 0.07 }, eligible, votes }));
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'do-ocracy',
    params: { ...DEFAULTS, objectionShare: 0.07 },
    outcome: 'rejected', // 100·7 < 7·100 is false
    totals: { E: 100, Y: 0, N: 0, A: 0, O: 7 },
    lost: { weight: 0, cycles: [] },
    absent: 93,
  });
});
