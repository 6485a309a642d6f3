// dave → erin → bob, and bob → carol → alice → bob is a ring without a voter.
import { resolveById } from '../../../../src/core/governance/resolve';
import { replayStory } from '../replayed-story';
import { DEFAULTS, snapshot } from '../story';

test('a chain that runs into a cycle loses its weight too; only the ring is reported', () => {
  const story = snapshot({
    regime: 'amendment',
    eligible: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'],
    delegations: {
      dave: { circle: 'erin' },
      erin: { circle: 'bob' },
      bob: { circle: 'carol' },
      carol: { circle: 'alice' },
      alice: { circle: 'bob' },
    },
    votes: { frank: 'yes' },
  });
  expect(replayStory(story)).toStrictEqual({
    proposal: 'p1',
    regime: 'amendment',
    params: DEFAULTS,
    outcome: 'rejected', // Y + N + A = 1 < 0.2·6
    totals: { E: 6, Y: 1, N: 0, A: 0, O: 0 },
    lost: { weight: 5, cycles: [['alice', 'bob', 'carol']] },
    absent: 0,
  });
  const { resolved } = resolveById(story);
  expect(resolved.get('dave')).toStrictEqual({ kind: 'lost' });
  expect(resolved.get('frank')).toStrictEqual({ kind: 'cast', choice: 'yes', direct: true });
});
