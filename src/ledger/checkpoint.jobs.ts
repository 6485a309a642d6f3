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

  /**
   * One pass over the logs, in id order: a checkpoint of each log that has grown since its last one,
   * each log at most once a run. Returns how many checkpoints were cut. (Run until no log lacked a
   * current checkpoint, as it once was, a job never ended while statements kept coming: it cut the
   * busy logs again and again, about every half second each under bench:ingest's load, instead of
   * once per CHECKPOINT_INTERVAL_SECONDS, and each one is a row kept forever.)
   */
  @HandlesJob(JobName.CutCheckpoints)
  async cutAll(): Promise<number> {
    let cut = 0;
    let after = '';
    for (;;) {
      const circles = await this.repository.circlesWithoutCurrentCheckpoint(200, after);
      if (!circles.length) return cut;
      for (const circle of circles) await this.ledger.checkpoint(circle);
      cut += circles.length;
      after = circles[circles.length - 1];
    }
  }
}
