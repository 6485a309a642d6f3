// The projected state tables, loaded and written for the writer: each effect goes to the
// repository that owns its table, consecutive effects of one kind in one run.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CirclesRepository } from '../circles/circles.repository';
import { EffectProjector, PlacedEffect } from '../ledger/effect-projector';
import { PropagationRepository } from '../propagation/propagation.repository';
import { ProposalsRepository } from '../proposals/proposals.repository';
import { RegimesRepository } from '../regimes/regimes.repository';
import { KeysRepository } from '../identity/keys.repository';
import { LoadedState, StateNeeds } from '../core/rules/batch-state';
import { Effect } from '../core/rules/state';

type Owner = 'circles' | 'proposals' | 'receipts' | 'positions' | 'keys';

/** Which repository projects each effect: a new kind of effect does not compile until it has one. */
const OWNER: { readonly [K in Effect['kind']]: Owner } = {
  'member.registered': 'circles',
  'key.added': 'keys',
  'key.revoked': 'keys',
  'circle.created': 'circles',
  'remote.child.recorded': 'circles',
  'member.invited': 'circles',
  'member.joined': 'circles',
  'member.left': 'circles',
  'circle.regime': 'circles',
  'proposal.opened': 'proposals',
  'vote.set': 'proposals',
  'delegation.set': 'proposals',
  'delegation.ended': 'proposals',
  'delegations.to.lapsed': 'proposals',
  'delegations.lapsed': 'proposals',
  'proposal.closed': 'proposals',
  'receipt.recorded': 'receipts',
  'position.set': 'positions',
};

/**
 * A repository that projects runs of effects (the circles' also needs the genesis leaves). It
 * issues every query of the run before it returns, and awaits none before issuing the next: the
 * writer sends its COMMIT right behind them, in the same flight (ledger-writer.ts), so a query
 * issued later would be refused (database/pipelined-transaction.ts). The pipelined connection
 * keeps them in call order, so a write still sees the ones before it.
 */
interface RunProjector {
  applyRun(m: EntityManager, run: PlacedEffect[], genesisLeaves: Map<string, string>): Promise<unknown>;
}

@Injectable()
export class Projections extends EffectProjector {
  private readonly owners: { readonly [O in Owner]: RunProjector };

  constructor(
    private readonly circles: CirclesRepository,
    private readonly proposals: ProposalsRepository,
    private readonly receipts: PropagationRepository,
    positions: RegimesRepository,
    private readonly keys: KeysRepository,
  ) {
    super();
    this.owners = { circles, proposals, receipts, positions, keys };
  }

  /** The loads are issued together: on the writer's pipelined connection they share a round trip. */
  async load(m: EntityManager, needs: StateNeeds): Promise<LoadedState> {
    const [circles, proposals, receipts, keys] = await Promise.all([
      this.circles.load(m, needs),
      this.proposals.load(m, needs),
      this.receipts.load(m, needs),
      this.keys.load(m, needs),
    ]);
    return { ...circles, ...proposals, ...receipts, ...keys };
  }

  /** Every run's queries issued at once, in order (see RunProjector); resolves once all are answered. */
  apply(m: EntityManager, placed: PlacedEffect[], genesisLeaves: Map<string, string>): Promise<unknown> {
    const runs: Array<Promise<unknown>> = [];
    for (let i = 0; i < placed.length; ) {
      let j = i + 1;
      while (j < placed.length && placed[j].effect.kind === placed[i].effect.kind) j++;
      runs.push(this.owners[OWNER[placed[i].effect.kind]].applyRun(m, placed.slice(i, j), genesisLeaves));
      i = j;
    }
    return Promise.all(runs);
  }
}
