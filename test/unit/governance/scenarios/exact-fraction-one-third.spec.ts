// splitShare "1/3" is exactly one third: reaching it is enough, and a
// rounded decimal like 0.34 is a different threshold.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = ['alice', 'bob', 'carol'];
const votes = { alice: 'yes', bob: 'no', carol: 'no' };

test('exactly one third of the votes cast reaches splitShare "1/3" and forks', () => {
  expect(replayStory(snapshot({ regime: 'split', eligible, votes }))).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: DEFAULTS,
    outcome: 'forked', // 3·1 ≥ 1·3
    totals: { E: 3, Y: 1, N: 2, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});

test('with splitShare 0.34 the same votes do not fork, and the majority rejects', () => {
  const result = replayStory(snapshot({ regime: 'split', params: { splitShare: 0.34 }, eligible, votes }));
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'split',
    params: { ...DEFAULTS, splitShare: 0.34 },
    outcome: 'rejected', // 100·1 < 34·3
    totals: { E: 3, Y: 1, N: 2, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});
