// Five members: objectionShare·E = 0.5 < 1, so the rule becomes "no objection at all".
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = ['alice', 'bob', 'carol', 'dave', 'erin'];

test('in a small circle a single objection blocks', () => {
  const result = replayStory(
    snapshot({ regime: 'do-ocracy', eligible, votes: { alice: 'support', bob: 'support', carol: 'object' } }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'do-ocracy',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 5, Y: 2, N: 0, A: 0, O: 1 },
    lost: { weight: 0, cycles: [] },
    absent: 2,
  });
});

test('and without objection the doer goes ahead, even with little support', () => {
  const result = replayStory(snapshot({ regime: 'do-ocracy', eligible, votes: { alice: 'support' } }));
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'do-ocracy',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 5, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 4,
  });
});
