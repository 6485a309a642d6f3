// carol leaves the circle. A proposal opened after she left does not count
// her as eligible, so delegations to her are skipped; on one opened before,
// she stays eligible but the delegations she gave lapsed when she left.
import { DEFAULTS } from '../story';
import { ReplayedStory } from '../replayed-story';

function story(): ReplayedStory {
  const s = new ReplayedStory(['alice', 'bob', 'carol'], { regime: 'amendment' });
  s.delegate('alice', 'carol');
  s.delegate('carol', 'bob');
  s.open('alice', 'p-before');
  s.leave('carol');
  s.open('alice', 'p-after');
  s.vote('bob', 'p-before', 'yes');
  s.vote('bob', 'p-after', 'yes');
  return s;
}

test('after a member leaves, delegations to her stop counting on later proposals', () => {
  expect(story().tally('p-after')).toStrictEqual({
    proposal: 'p-after',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 2, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 1, // alice: her only delegate is not eligible
  });
});

test('on a proposal opened before she left, she stays eligible but her own delegation lapsed', () => {
  expect(story().tally('p-before')).toStrictEqual({
    proposal: 'p-before',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'adopted',
    totals: { E: 3, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 1, cycles: [] }, // alice's chain reaches carol, now absent
    absent: 1, // carol
  });
});
