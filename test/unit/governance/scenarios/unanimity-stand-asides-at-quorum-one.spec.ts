// Three yes and two stand-asides: everyone took part, nobody blocked.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = ['alice', 'bob', 'carol', 'dave', 'erin'];

test('stand-asides count toward the unanimity quorum of 1', () => {
  const result = replayStory(
    snapshot({
      regime: 'unanimity',
      eligible,
      votes: { alice: 'yes', bob: 'yes', carol: 'yes', dave: 'abstain', erin: 'abstain' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 5, Y: 3, N: 0, A: 2, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 0,
  });
});

test('with quorum 1, one absent member is enough to miss it', () => {
  const result = replayStory(
    snapshot({ regime: 'unanimity', eligible, votes: { alice: 'yes', bob: 'yes', carol: 'yes', dave: 'abstain' } }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'rejected',
    totals: { E: 5, Y: 3, N: 0, A: 1, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1,
  });
});
