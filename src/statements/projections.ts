// The projected state tables, loaded and written for the writer: each effect goes to the
// repository that owns its table, consecutive effects of one kind in one run.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CirclesRepository, PlacedEffect } from '../circles/circles.repository';
import { PropagationRepository } from '../propagation/propagation.repository';
import { ProposalsRepository } from '../proposals/proposals.repository';
import { RegimesRepository } from '../regimes/regimes.repository';
import { LoadedState, StateNeeds } from '../core/rules/batch-state';
import { Effect } from '../core/rules/state';

const CIRCLE_EFFECTS: ReadonlySet<Effect['kind']> = new Set([
  'member.registered',
  'circle.created',
  'member.invited',
  'member.joined',
  'member.left',
  'circle.regime',
]);

@Injectable()
export class Projections {
  constructor(
    private readonly circles: CirclesRepository,
    private readonly proposals: ProposalsRepository,
    private readonly receipts: PropagationRepository,
    private readonly positions: RegimesRepository,
  ) {}

  /** The loads are issued together: on the writer's pipelined connection they share a round trip. */
  async load(m: EntityManager, needs: StateNeeds): Promise<LoadedState> {
    const [circles, proposals, receipts] = await Promise.all([this.circles.load(m, needs), this.proposals.load(m, needs), this.receipts.load(m, needs)]);
    return { ...circles, ...proposals, ...receipts };
  }

  async apply(m: EntityManager, placed: PlacedEffect[], genesisLeaves: Map<string, string>): Promise<void> {
    for (let i = 0; i < placed.length; ) {
      let j = i + 1;
      while (j < placed.length && placed[j].effect.kind === placed[i].effect.kind) j++;
      const run = placed.slice(i, j);
      if (CIRCLE_EFFECTS.has(run[0].effect.kind)) await this.circles.applyRun(m, run, genesisLeaves);
      else if (run[0].effect.kind === 'receipt.recorded') await this.receipts.applyRun(m, run);
      else if (run[0].effect.kind === 'position.set') await this.positions.applyRun(m, run);
      else await this.proposals.applyRun(m, run);
      i = j;
    }
  }
}
