// SPEC §6: recompute a circle's regime cursor and append `regime.changed` when it moves.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { isRegimeName } from '../core/governance/params';
import { HandlesJob } from '../queue/job-handlers';
import { JobName } from '../queue/job-catalogue';
import { regimeChange, regimeCursor } from '../core/governance/cursor';
import { RegimesRepository } from './regimes.repository';
import { Clock } from '../common/clock';

@Injectable()
export class RegimesService {
  constructor(
    private readonly clock: Clock,
    private readonly regimes: RegimesRepository,
    private readonly writer: LedgerWriter,
  ) {}

  /** Under the circle's lock, so two recomputations never both move the same cursor. */
  @HandlesJob(JobName.RecomputeCursor)
  recompute({ circle }: { circle: string }): Promise<AppendResult | null> {
    return this.writer.submitSystem({
      lane: circle,
      receivedAt: this.clock.now(),
      compose: async (m: EntityManager) => {
        const inputs = await this.regimes.cursorInputs(m, circle);
        if (!inputs || !isRegimeName(inputs.regime)) return null;
        const change = regimeChange(inputs.regime, regimeCursor({ ...inputs, params: inputs.params as never }));
        if (!change) return null;
        return { type: 'regime.changed', circle, body: change };
      },
    });
  }
}
