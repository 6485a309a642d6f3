// An amendment in a circle of 30: amendmentQuorum 0.1 needs 3 participants.
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

const eligible = Array.from({ length: 30 }, (_, i) => `member${String(i).padStart(2, '0')}`);

test('an amendment with a majority but short of amendmentQuorum·E participation is rejected', () => {
  const result = replayStory(
    snapshot({ kind: 'amendment', regime: 'amendment', eligible, votes: { member00: 'yes', member01: 'yes' } }),
  );
  expect(result).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected', // 2 < 0.1·30
    totals: { E: 30, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 28,
  });
});

test('an abstention counts toward the quorum: 3 participants adopt the amendment, not a motion', () => {
  const votes = { member00: 'yes', member01: 'yes', member02: 'abstain' };
  const amendment = replayStory(snapshot({ kind: 'amendment', regime: 'amendment', eligible, votes }));
  expect(amendment.outcome).toBe('adopted'); // 3 ≥ 0.1·30
  const motion = replayStory(snapshot({ kind: 'motion', regime: 'amendment', eligible, votes }));
  expect(motion.outcome).toBe('rejected'); // 3 < majorityQuorum 0.2·30 = 6
});
