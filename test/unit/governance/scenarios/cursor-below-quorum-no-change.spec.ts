// Ten members, four positions cast: below cursorQuorum 1/2.
import { regimeChange, regimeCursor } from '../../../../src/core/governance/cursor';

const members = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ines', 'jules'];
const positions = new Map([
  ['alice', 'split'],
  ['bob', 'split'],
  ['carol', 'do-ocracy'],
] as const);

test('below cursorQuorum·E cast weight the cursor does not move', () => {
  const result = regimeCursor({
    members,
    positions,
    delegations: new Map([
      ['dave', 'alice'],
      ['erin', 'zed'], // not a member: skipped, erin's weight is not cast
    ]),
    params: {},
  });
  expect(result).toStrictEqual({
    regime: null,
    weights: { unanimity: 0, 'do-ocracy': 1, amendment: 0, split: 3 },
    cast: 4,
    E: 10,
  });
  expect(regimeChange('unanimity', result)).toBeNull();
});

test('one more delegation reaches the quorum and the cursor moves', () => {
  const result = regimeCursor({
    members,
    positions,
    delegations: new Map([
      ['dave', 'alice'],
      ['erin', 'carol'],
    ]),
    params: {},
  });
  expect(result).toStrictEqual({
    regime: 'split', // cumulative: do-ocracy 2 (2·2 < 5), amendment 2, split 5
    weights: { unanimity: 0, 'do-ocracy': 2, amendment: 0, split: 3 },
    cast: 5,
    E: 10,
  });
  expect(regimeChange('unanimity', result)).toStrictEqual({
    from: 'unanimity',
    to: 'split',
    weights: { unanimity: 0, 'do-ocracy': 2, amendment: 0, split: 3 },
    cast: 5,
    E: 10,
  });
});
