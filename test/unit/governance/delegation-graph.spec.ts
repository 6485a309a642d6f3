import { delegationGraph } from '../../../src/core/governance/graph';
import { resolveById } from '../../../src/core/governance/resolve';

describe('the delegation graph of a proposal', () => {
  it('gives each direct voter the weight that reaches her, and reports lost chains and cycles', () => {
    // carol → bob → alice (votes); dan → erin (absent); frank ⇄ gus (cycle); hana votes and delegates (ignored).
    const g = delegationGraph({
      eligible: ['alice', 'bob', 'carol', 'dan', 'erin', 'frank', 'gus', 'hana'],
      voters: new Set(['alice', 'hana']),
      delegations: new Map([
        ['bob', { circle: 'alice' }],
        ['carol', { circle: 'bob' }],
        ['dan', { circle: 'erin' }],
        ['frank', { circle: 'gus' }],
        ['gus', { circle: 'frank' }],
        ['hana', { circle: 'alice' }],
      ]),
      topic: null,
    });
    expect(g.weights).toEqual([
      { member: 'alice', weight: 3 },
      { member: 'hana', weight: 1 },
    ]);
    expect(g.effective).toEqual([
      { member: 'bob', delegate: 'alice' },
      { member: 'carol', delegate: 'bob' },
      { member: 'dan', delegate: 'erin' },
      { member: 'frank', delegate: 'gus' },
      { member: 'gus', delegate: 'frank' },
    ]);
    expect({ lost: g.lost, absent: g.absent, cycles: g.cycles }).toEqual({ lost: 3, absent: 1, cycles: [['frank', 'gus']] });
  });

  it('agrees with the tally resolution on who counts for whom', () => {
    const eligible = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const delegations = new Map(eligible.map((m, i) => [m, { circle: eligible[(i * 7 + 3) % 40] }]));
    const voters = new Set(eligible.filter((_, i) => i % 5 === 0));
    const g = delegationGraph({ eligible, voters, delegations, topic: null });
    const r = resolveById({ eligible, votes: new Map([...voters].map((v) => [v, 'yes'])), delegations });
    const cast = [...r.resolved.values()].filter((x) => x.kind === 'cast').length;
    expect(g.weights.reduce((s, w) => s + w.weight, 0)).toBe(cast);
    expect(g.lost + g.absent + cast).toBe(40);
    expect(g.cycles).toEqual(r.cycles);
  });
});
