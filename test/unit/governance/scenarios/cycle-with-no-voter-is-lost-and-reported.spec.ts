// alice → bob → carol → alice and none of them votes.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('weight caught in a cycle without a voter is lost and the cycle is reported', () => {
  const result = replayStory(
    snapshot({
      regime: 'unanimity',
      eligible: ['alice', 'bob', 'carol', 'dave'],
      delegations: { alice: { circle: 'bob' }, bob: { circle: 'carol' }, carol: { circle: 'alice' } },
      votes: { dave: 'yes' },
    }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'unanimity',
    params: DEFAULTS,
    outcome: 'rejected', // Y + A = 1 < 1·E
    totals: { E: 4, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 3, cycles: [['alice', 'bob', 'carol']] },
    absent: 0,
  });
});
