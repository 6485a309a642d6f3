// SPEC §5.2 for one member (GET /proposals/:id/weights/:member): direct, delegated with its chain,
// lost (at an absent member or in a cycle), absent; scopes; split proposals count direct votes only.
import fc from 'fast-check';
import { resolveById, ScopedDelegation } from '../../../src/core/governance/resolve';
import { weightOf, WeightInput } from '../../../src/core/governance/weight';

const input = (over: Partial<WeightInput>): WeightInput => ({
  eligible: ['alice', 'bob', 'carol', 'dan', 'erin', 'frank', 'gus'],
  votes: new Map(),
  delegations: new Map(),
  topic: null,
  delegationApplies: true,
  ...over,
});

describe("how one member's weight is cast", () => {
  // carol → bob → alice (yes); dan → erin (absent); frank ⇄ gus.
  const world = input({
    votes: new Map([['alice', 'yes']]),
    delegations: new Map<string, ScopedDelegation>([
      ['bob', { circle: 'alice' }],
      ['carol', { circle: 'bob' }],
      ['dan', { circle: 'erin' }],
      ['frank', { circle: 'gus' }],
      ['gus', { circle: 'frank' }],
    ]),
  });

  it('direct: her own vote, no chain', () => {
    expect(weightOf(world, 'alice')).toEqual({ member: 'alice', cast: 'direct', choice: 'yes', chain: [] });
  });

  it('delegated: the choice at the end of her chain, and the chain hop by hop', () => {
    expect(weightOf(world, 'bob')).toEqual({ member: 'bob', cast: 'delegated', choice: 'yes', chain: ['alice'] });
    expect(weightOf(world, 'carol')).toEqual({ member: 'carol', cast: 'delegated', choice: 'yes', chain: ['bob', 'alice'] });
  });

  it('lost at an absent member: the chain up to her, no cycle', () => {
    expect(weightOf(world, 'dan')).toEqual({ member: 'dan', cast: 'lost', chain: ['erin'] });
  });

  it('absent: no vote and no effective delegation', () => {
    expect(weightOf(world, 'erin')).toEqual({ member: 'erin', cast: 'absent', chain: [] });
  });

  it('lost in a cycle she is part of, the cycle from its smallest id', () => {
    expect(weightOf(world, 'gus')).toEqual({ member: 'gus', cast: 'lost', chain: ['frank'], cycle: ['frank', 'gus'] });
  });

  it('lost in a cycle further down her chain', () => {
    const w = input({ delegations: new Map([...world.delegations, ['alice', { circle: 'frank' }]]) });
    expect(weightOf(w, 'carol')).toEqual({ member: 'carol', cast: 'lost', chain: ['bob', 'alice', 'frank', 'gus'], cycle: ['frank', 'gus'] });
  });

  it('a direct vote overrides her own delegation', () => {
    const w = input({ votes: new Map([['alice', 'yes'], ['bob', 'no']]), delegations: world.delegations });
    expect(weightOf(w, 'bob')).toEqual({ member: 'bob', cast: 'direct', choice: 'no', chain: [] });
    expect(weightOf(w, 'carol')).toEqual({ member: 'carol', cast: 'delegated', choice: 'no', chain: ['bob'] });
  });

  it('takes the proposal scope over the topic scope over the circle scope, and the topic only when it matches', () => {
    const delegations = new Map<string, ScopedDelegation>([['dan', { proposal: 'bob', topic: 'carol', circle: 'alice' }], ['erin', { topic: 'carol', circle: 'alice' }]]);
    const votes = new Map([['alice', 'yes'], ['bob', 'no'], ['carol', 'abstain']]);
    expect(weightOf(input({ votes, delegations, topic: 'garden' }), 'dan')).toMatchObject({ cast: 'delegated', choice: 'no', chain: ['bob'] });
    expect(weightOf(input({ votes, delegations, topic: 'garden' }), 'erin')).toMatchObject({ cast: 'delegated', choice: 'abstain', chain: ['carol'] });
    expect(weightOf(input({ votes, delegations, topic: null }), 'erin')).toMatchObject({ cast: 'delegated', choice: 'yes', chain: ['alice'] });
  });

  it('skips a delegation to a member who is not eligible (the next scope applies)', () => {
    const w = input({ votes: new Map([['alice', 'yes']]), delegations: new Map([['bob', { proposal: 'zoe', circle: 'alice' }]]) });
    expect(weightOf(w, 'bob')).toMatchObject({ cast: 'delegated', chain: ['alice'] });
  });

  it('split proposals: delegation does not apply, a member who did not choose stays absent', () => {
    const w = input({ votes: new Map([['alice', 'leave']]), delegations: new Map([['bob', { circle: 'alice' }]]), delegationApplies: false });
    expect(weightOf(w, 'bob')).toEqual({ member: 'bob', cast: 'absent', chain: [] });
    expect(weightOf(w, 'alice')).toEqual({ member: 'alice', cast: 'direct', choice: 'leave', chain: [] });
  });

  it('is null for a member who is not eligible', () => {
    expect(weightOf(world, 'zoe')).toBeNull();
  });

  it('agrees with the tally resolution for every member of random circles, and every chain ends where the verdict says', () => {
    const n = 12;
    const eligible = Array.from({ length: n }, (_, i) => `m${String(i).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.constantFrom('yes', 'no', 'abstain'), { nil: undefined }), { minLength: n, maxLength: n }),
        fc.array(fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }), { minLength: n, maxLength: n }),
        (choices, targets) => {
          const votes = new Map<string, string>();
          const delegations = new Map<string, ScopedDelegation>();
          eligible.forEach((m, i) => {
            if (choices[i] !== undefined) votes.set(m, choices[i] as string);
            const t = targets[i];
            if (t !== undefined && t !== i) delegations.set(m, { circle: eligible[t] });
          });
          const reference = resolveById({ eligible, votes, delegations, topic: null });
          const cycleMembers = new Set(reference.cycles.flat());
          for (const m of eligible) {
            const w = weightOf({ eligible, votes, delegations, topic: null, delegationApplies: true }, m);
            const r = reference.resolved.get(m);
            if (!w || !r) return false;
            if (r.kind === 'cast' && r.direct && !(w.cast === 'direct' && w.choice === r.choice && w.chain.length === 0)) return false;
            if (r.kind === 'cast' && !r.direct) {
              if (!(w.cast === 'delegated' && w.choice === r.choice)) return false;
              if (votes.get(w.chain[w.chain.length - 1]) !== r.choice) return false; // ends at the voter
            }
            if (r.kind === 'absent' && w.cast !== 'absent') return false;
            if (r.kind === 'lost') {
              if (w.cast !== 'lost') return false;
              if (w.cycle) {
                if (!reference.cycles.some((c) => c.join() === w.cycle?.join())) return false;
              } else if (delegations.has(w.chain[w.chain.length - 1]) && cycleMembers.has(w.chain[w.chain.length - 1])) return false;
            }
            // Each hop is an effective delegation.
            const hops = [m, ...w.chain];
            for (let k = 0; k + 1 < hops.length; k++) if (delegations.get(hops[k])?.circle !== hops[k + 1]) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});
