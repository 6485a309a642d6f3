// SPEC §9: cut and cache a signed checkpoint of every circle that changed, at a configurable
// interval (CHECKPOINT_INTERVAL_SECONDS), so witnesses and verifiers find one ready.
import { Injectable } from '@nestjs/common';
import { HandlesJob } from '../queue/job-handlers';
import { JobName } from '../queue/job-catalogue';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

@Injectable()
export class CheckpointJobs {
  constructor(
    private readonly ledger: LedgerService,
    private readonly repository: LedgerRepository,
  ) {}

  /** Returns how many checkpoints were cut. */
  @HandlesJob(JobName.CutCheckpoints)
  async cutAll(): Promise<number> {
    let cut = 0;
    for (;;) {
      const circles = await this.repository.circlesWithoutCurrentCheckpoint(200);
      if (!circles.length) return cut;
      for (const circle of circles) await this.ledger.checkpoint(circle);
      cut += circles.length;
    }
  }
}
