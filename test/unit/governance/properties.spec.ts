// Property tests over random circles (1–60 members), random scoped
// delegation graphs (including delegates who are not eligible and
// self-delegations) and random votes.
import fc from 'fast-check';
import {
  ABSENT,
  LOST,
  resolveById,
  resolveDelegations,
  type ScopedDelegation,
} from '../../../src/core/governance/resolve';
import { REGIMES, freezeParams, type RegimeName } from '../../../src/core/governance/params';
import {
  choicesFor,
  decideOutcome,
  tallyArrays,
  tallyProposal,
  PROPOSAL_KINDS,
  type TallySnapshot,
} from '../../../src/core/governance/tally';

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------
// Generators.

const idArb = fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'b', 'B', 'c', 'z', 'Z', '0', 'é') });

const circleArb = fc
  .record({
    ids: fc.uniqueArray(idArb, { minLength: 1, maxLength: 66 }),
    outsiders: fc.nat({ max: 6 }),
    kind: fc.constantFrom(...PROPOSAL_KINDS),
    regime: fc.constantFrom(...REGIMES),
    topic: fc.constantFrom(null, 'roads'),
    splitShare: fc.constantFrom<string | number>('1/3', 0.5, 0, '1/4'),
    seed: fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
  })
  .filter(({ ids, outsiders }) => ids.length > outsiders)
  .map(({ ids, outsiders, kind, regime, topic, splitShare, seed }): TallySnapshot => {
    const eligible = ids.slice(outsiders);
    let k = 0;
    const next = () => seed[k++ % seed.length];
    const pick = () => ids[next() % ids.length];
    const choices = choicesFor(kind, regime);
    const votes = new Map<string, string>();
    const delegations = new Map<string, ScopedDelegation>();
    for (const m of ids) {
      if (next() % 3 === 0) votes.set(m, choices[next() % choices.length]);
      const d: ScopedDelegation = {};
      if (next() % 4 === 0) d.proposal = pick();
      if (next() % 4 === 0) d.topic = pick();
      if (next() % 2 === 0) d.circle = pick();
      if (Object.keys(d).length > 0) delegations.set(m, d);
    }
    return {
      proposal: 'p',
      kind,
      regime,
      params: freezeParams({ splitShare }),
      topic,
      eligible,
      votes,
      delegations,
    };
  });

const shuffled = <T>(xs: readonly T[], seed: number[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = seed[i % seed.length] % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

// ---------------------------------------------------------------------------
// A naive reference for the index core: recursive, one walk per member.

function naiveResolve(choice: number[], delegate: number[]): { resolved: number[]; cycles: string[] } {
  const cycles = new Set<string>();
  const follow = (i: number, seen: number[]): number => {
    if (choice[i] >= 0) return choice[i];
    if (delegate[i] < 0) return seen.length === 0 ? ABSENT : LOST;
    const at = seen.indexOf(i);
    if (at >= 0) {
      cycles.add(canonicalCycle(seen.slice(at)));
      return LOST;
    }
    return follow(delegate[i], [...seen, i]);
  };
  return { resolved: choice.map((_, i) => follow(i, [])), cycles: [...cycles].sort() };
}

function canonicalCycle(cycle: number[]): string {
  const min = cycle.indexOf(Math.min(...cycle));
  return JSON.stringify([...cycle.slice(min), ...cycle.slice(0, min)]);
}

/** The effective delegate of a member, by id, straight from the §5.2 wording. */
function naiveEffective(s: TallySnapshot, m: string): string | undefined {
  const d = s.delegations.get(m);
  if (!d) return undefined;
  const ok = (to: string | undefined) => (to !== undefined && s.eligible.includes(to) ? to : undefined);
  return ok(d.proposal) ?? (s.topic !== null ? ok(d.topic) : undefined) ?? ok(d.circle);
}

const naiveRegimeKind = (s: TallySnapshot) => s.kind !== 'split';

// ---------------------------------------------------------------------------

describe('tally properties', () => {
  it('E = Y + N + A + O + lost + absent, and cycles are well-formed', () => {
    fc.assert(
      fc.property(circleArb, (s) => {
        const { totals, lost, absent } = tallyProposal(s);
        expect(totals.E).toBe(s.eligible.length);
        expect(totals.Y + totals.N + totals.A + totals.O + lost.weight + absent).toBe(totals.E);
        const inCycles = lost.cycles.flat();
        expect(new Set(inCycles).size).toBe(inCycles.length);
        expect(inCycles.length).toBeLessThanOrEqual(lost.weight);
        for (const c of lost.cycles) {
          expect(c.every((m) => s.eligible.includes(m))).toBe(true);
          expect(c.every((m) => m >= c[0])).toBe(true);
        }
        for (let k = 1; k < lost.cycles.length; k++) expect(lost.cycles[k - 1][0] < lost.cycles[k][0]).toBe(true);
        if (s.kind === 'split') expect(lost).toStrictEqual({ weight: 0, cycles: [] });
      }),
      RUNS,
    );
  });

  it('does not depend on the order of members, votes or delegations', () => {
    fc.assert(
      fc.property(circleArb, fc.array(fc.nat(), { minLength: 1, maxLength: 70 }), (s, seed) => {
        const reordered: TallySnapshot = {
          ...s,
          eligible: shuffled(s.eligible, seed),
          votes: new Map(shuffled([...s.votes], seed.slice(1).concat(seed))),
          delegations: new Map(shuffled([...s.delegations], [...seed].reverse())),
        };
        expect(tallyProposal(reordered)).toStrictEqual(tallyProposal(s));
      }),
      RUNS,
    );
  });

  it('removing one member’s delegations changes only members whose chain passed through her', () => {
    fc.assert(
      fc.property(circleArb, fc.nat(), (s, which) => {
        fc.pre(naiveRegimeKind(s));
        const x = s.eligible[which % s.eligible.length];
        const before = resolveById(s).resolved;
        const delegations = new Map(s.delegations);
        delegations.delete(x);
        const after = resolveById({ ...s, delegations, choices: undefined }).resolved;
        for (const y of s.eligible) {
          if (y === x) continue;
          // y's chain in the original: hops until a voter, an absent member or a repeat.
          const seen = new Set<string>();
          let cur: string | undefined = y;
          while (cur !== undefined && !seen.has(cur) && !s.votes.has(cur)) {
            seen.add(cur);
            cur = naiveEffective(s, cur);
          }
          const throughX = seen.has(x) || cur === x;
          if (!throughX) expect(after.get(y)).toStrictEqual(before.get(y));
        }
      }),
      RUNS,
    );
  });

  it('the typed-array entry point gives the same body as the id-based one', () => {
    fc.assert(
      fc.property(circleArb, (s) => {
        const index = new Map(s.eligible.map((m, i) => [m, i]));
        const choices = choicesFor(s.kind, s.regime);
        const choice = Int8Array.from(s.eligible, (m) => (s.votes.has(m) ? choices.indexOf(s.votes.get(m)!) : -1));
        const delegate = Int32Array.from(s.eligible, (m) => index.get(naiveEffective(s, m) ?? '') ?? -1);
        const body = tallyArrays({ ...s, members: s.eligible, choice, delegate });
        expect(body).toStrictEqual(tallyProposal(s));
      }),
      RUNS,
    );
  });
});

describe('resolveDelegations against a naive recursive reference', () => {
  const graphArb = fc.integer({ min: 1, max: 60 }).chain((n) =>
    fc.record({
      choice: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: n, maxLength: n }),
      delegate: fc.array(fc.integer({ min: -1, max: n - 1 }), { minLength: n, maxLength: n }),
    }),
  );

  it('agrees on every member and every cycle', () => {
    fc.assert(
      fc.property(graphArb, ({ choice, delegate }) => {
        const fast = resolveDelegations({ choice: Int8Array.from(choice), delegate: Int32Array.from(delegate) });
        const slow = naiveResolve(choice, delegate);
        expect(Array.from(fast.resolved)).toStrictEqual(slow.resolved);
        expect(fast.cycles.map(canonicalCycle).sort()).toStrictEqual(slow.cycles);
      }),
      { numRuns: 1000 },
    );
  });

  it('resolves a single chain as long as the circle, in either direction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.integer({ min: -1, max: 2 }), (n, forward, end) => {
        // forward: i → i+1, the last member decides; backward: i → i−1, the first decides
        const delegate = Int32Array.from({ length: n }, (_, i) => (forward ? (i + 1 < n ? i + 1 : -1) : i - 1));
        const choice = new Int8Array(n).fill(-1);
        choice[forward ? n - 1 : 0] = end;
        const { resolved } = resolveDelegations({ choice, delegate });
        const expected = end >= 0 ? new Array(n).fill(end) : [...new Array(n - 1).fill(LOST), ABSENT];
        expect(Array.from(resolved)).toStrictEqual(forward ? expected : [...expected].reverse());
      }),
    );
  });
});

describe('outcome rules move the right way', () => {
  const totalsArb = fc
    .record({ Y: fc.nat(40), N: fc.nat(40), A: fc.nat(40), O: fc.nat(40), rest: fc.nat(40) })
    .map(({ Y, N, A, O, rest }) => ({ Y, N, A, O, E: Y + N + A + O + rest }));
  const regimeArb = fc.constantFrom<RegimeName>(...REGIMES);
  const params = freezeParams({});

  const kindArb = fc.constantFrom(...PROPOSAL_KINDS.filter((k) => k !== 'split'));

  it('an absent member who votes yes never undoes an adoption', () => {
    fc.assert(
      fc.property(totalsArb, regimeArb, kindArb, (t, regime, kind) => {
        fc.pre(t.E > t.Y + t.N + t.A + t.O);
        if (decideOutcome(kind, regime, t, params) === 'adopted') {
          expect(decideOutcome(kind, regime, { ...t, Y: t.Y + 1 }, params)).toBe('adopted');
        }
      }),
    );
  });

  it('an absent member who objects or votes no never turns a rejection into adoption (quorum regimes aside)', () => {
    fc.assert(
      fc.property(totalsArb, regimeArb, kindArb, (t, regime, kind) => {
        // Under the amendment regime a no can complete the quorum: Y = 3, N = 0 of
        // E = 16 misses 0.2·E, Y = 3, N = 1 reaches it. That is the rule as written.
        fc.pre(regime !== 'amendment' && t.E > t.Y + t.N + t.A + t.O);
        if (decideOutcome(kind, regime, t, params) === 'rejected') {
          const contrary = regime === 'do-ocracy' ? { ...t, O: t.O + 1 } : { ...t, N: t.N + 1 };
          expect(decideOutcome(kind, regime, contrary, params)).toBe('rejected');
        }
      }),
    );
  });

  it('a no can complete the quorum under the amendment regime', () => {
    expect(decideOutcome('motion', 'amendment', { E: 16, Y: 3, N: 0, A: 0, O: 0 }, params)).toBe('rejected');
    expect(decideOutcome('motion', 'amendment', { E: 16, Y: 3, N: 1, A: 0, O: 0 }, params)).toBe('adopted');
  });

  it('the split regime forks symmetrically in yes and no', () => {
    fc.assert(
      fc.property(totalsArb, (t) => {
        const forked = decideOutcome('motion', 'split', t, params) === 'forked';
        expect(decideOutcome('motion', 'split', { ...t, Y: t.N, N: t.Y }, params) === 'forked').toBe(forked);
      }),
    );
  });
});
