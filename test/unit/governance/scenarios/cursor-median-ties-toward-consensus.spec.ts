// Half the circle wants unanimity, half wants split: the median goes to the
// more consensual side.
import { regimeChange, regimeCursor } from '../../../../src/core/governance/cursor';

test('a tie on the regime cursor resolves toward the more consensual regime', () => {
  const result = regimeCursor({
    members: ['alice', 'bob', 'carol', 'dave'],
    positions: new Map([
      ['alice', 'unanimity'],
      ['carol', 'split'],
      ['dave', 'split'],
    ]),
    delegations: new Map([['bob', 'alice']]),
    params: {},
  });
  expect(result).toStrictEqual({
    regime: 'unanimity', // cumulative 2 at unanimity, 2·2 ≥ 4
    weights: { unanimity: 2, 'do-ocracy': 0, amendment: 0, split: 2 },
    cast: 4,
    E: 4,
  });
  expect(regimeChange('amendment', result)).toStrictEqual({
    from: 'amendment',
    to: 'unanimity',
    weights: { unanimity: 2, 'do-ocracy': 0, amendment: 0, split: 2 },
    cast: 4,
    E: 4,
  });
});

test('the median is the lowest position reaching half the cast weight', () => {
  const result = regimeCursor({
    members: ['alice', 'bob', 'carol', 'dave', 'erin'],
    positions: new Map([
      ['alice', 'unanimity'],
      ['bob', 'do-ocracy'],
      ['carol', 'amendment'],
      ['dave', 'split'],
      ['erin', 'split'],
    ]),
    delegations: new Map(),
    params: {},
  });
  expect(result.regime).toBe('amendment'); // cumulative 1, 2, 3: 3·2 ≥ 5
  expect(regimeChange('amendment', result)).toBeNull();
});
