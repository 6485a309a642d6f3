// The writer sends COMMIT in the same flight as a batch's writes (ledger-writer.ts), so every
// projection must issue all its queries before `apply` returns: a query issued after an awaited
// answer would come after the COMMIT, outside the transaction. Checked here for every kind of
// effect, two of each in a row (the runs that loop), with a manager that records when each query
// is issued and answers only later. The SQL itself is tested against PostgreSQL by the e2e suites.
import type { DataSource, EntityManager } from 'typeorm';
import { CirclesRepository } from '../../../src/circles/circles.repository';
import { freezeParams } from '../../../src/core/governance/params';
import type { Effect, PlacedEffect } from '../../../src/core/rules/state';
import { KeysRepository } from '../../../src/identity/keys.repository';
import { PropagationRepository } from '../../../src/propagation/propagation.repository';
import { ProposalsRepository } from '../../../src/proposals/proposals.repository';
import { RegimesRepository } from '../../../src/regimes/regimes.repository';
import { Projections } from '../../../src/statements/projections';

const jwk = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: 'A'.repeat(43) };
const at = Date.UTC(2026, 11, 5, 12);
const params = freezeParams({});

/** One effect of every kind: a kind added to Effect does not compile until it is here. */
const SAMPLES: { [K in Effect['kind']]: Extract<Effect, { kind: K }> } = {
  'member.registered': { kind: 'member.registered', member: { id: 'm1', name: 'Ada', jwk } },
  'key.added': { kind: 'key.added', key: { kid: 'k2', member: 'm1', jwk, role: 'active', addedAt: at, revokedAt: null } },
  'key.revoked': { kind: 'key.revoked', kid: 'k2', member: 'm1', at },
  'circle.created': { kind: 'circle.created', circle: { id: 'c1', name: 'Garden', parent: null, regime: 'unanimity', params: {} }, genesisLeaf: null },
  'remote.child.recorded': { kind: 'remote.child.recorded', parent: 'c1', child: 'c9@other.example' },
  'member.invited': { kind: 'member.invited', circle: 'c1', member: 'm2', by: 'm1' },
  'member.joined': { kind: 'member.joined', circle: 'c1', member: 'm2' },
  'member.left': { kind: 'member.left', circle: 'c1', member: 'm2' },
  'circle.regime': { kind: 'circle.regime', circle: 'c1', regime: 'do-ocracy', params: {} },
  'proposal.opened': {
    kind: 'proposal.opened',
    proposal: {
      id: 'p1',
      circle: 'c1',
      kind: 'motion',
      regime: 'amendment',
      params,
      topic: null,
      openedSeq: 4,
      openedAt: at,
      closesAt: at + 86_400_000,
      amendmentsCloseAt: null,
      closed: false,
      body: {},
      text: 'Plant beans',
      title: 'Beans',
      openedBy: 'm1',
    },
  },
  'vote.set': { kind: 'vote.set', proposal: 'p1', member: 'm1', choice: 'yes', reason: null, at },
  'delegation.set': { kind: 'delegation.set', circle: 'c1', member: 'm2', scope: { kind: 'circle', value: '' }, delegate: 'm1', at },
  'delegation.ended': { kind: 'delegation.ended', circle: 'c1', member: 'm2', scope: { kind: 'circle', value: '' }, at },
  'delegations.to.lapsed': { kind: 'delegations.to.lapsed', circle: 'c1', delegates: ['m1'], at },
  'delegations.lapsed': { kind: 'delegations.lapsed', circle: 'c1', member: 'm2', at },
  'proposal.closed': { kind: 'proposal.closed', proposal: 'p1', result: {} as Extract<Effect, { kind: 'proposal.closed' }>['result'] },
  'receipt.recorded': { kind: 'receipt.recorded', ancestor: 'c0', child: 'c1', proposal: 'p1', childSeq: 7 },
  'position.set': { kind: 'position.set', circle: 'c1', member: 'm1', position: 'do-ocracy' },
};

/** A manager that records each query as it is issued and answers it on a later turn of the event loop. */
function recordingManager() {
  const issued: string[] = [];
  const m = {
    query(sql: string) {
      issued.push(sql);
      return new Promise<unknown[]>((resolve) => setTimeout(() => resolve([]), 1));
    },
  } as unknown as EntityManager;
  return { m, issued };
}

function projections(): Projections {
  const ds = {} as DataSource;
  return new Projections(new CirclesRepository(ds), new ProposalsRepository(ds), new PropagationRepository(ds), new RegimesRepository(), new KeysRepository(ds));
}

const placedTwice = (effect: Effect): PlacedEffect[] => [
  { effect, circle: 'c1', seq: 10 },
  { effect, circle: 'c1', seq: 11 },
];

describe('projection writes are all issued before apply returns', () => {
  it.each(Object.keys(SAMPLES) as Array<Effect['kind']>)('%s', async (kind) => {
    const { m, issued } = recordingManager();
    const pending = projections().apply(m, placedTwice(SAMPLES[kind]), new Map([['c1', 'A'.repeat(43)]]));
    const issuedAtOnce = issued.length;
    await pending;
    expect(issuedAtOnce).toBeGreaterThan(0);
    expect(issued).toHaveLength(issuedAtOnce);
  });

  it('issues a whole batch of every kind at once, in the order of its effects', async () => {
    const { m, issued } = recordingManager();
    const placed = (Object.values(SAMPLES) as Effect[]).flatMap(placedTwice);
    const pending = projections().apply(m, placed, new Map());
    const issuedAtOnce = [...issued];
    await pending;
    expect(issued).toEqual(issuedAtOnce);
    // The first query of each kind's run comes in the order of the batch.
    expect(issued[0]).toMatch(/INSERT INTO member /);
    expect(issued.at(-1)).toMatch(/INSERT INTO regime_position/);
  });
});
