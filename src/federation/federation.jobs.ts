import { Injectable } from '@nestjs/common';
import { CirclesRepository } from '../circles/circles.repository';
import { HandlesJob } from '../queue/job-handlers';
import { JobName, type JobPayloads } from '../queue/job-catalogue';
import { FederationOutbound } from './federation-outbound';

/** SPEC §12.2, §9: a new circle whose parent is on another instance is announced there, retried until acknowledged. */
@Injectable()
export class FederationJobs {
  constructor(
    private readonly circles: CirclesRepository,
    private readonly outbound: FederationOutbound,
  ) {}

  @HandlesJob(JobName.AnnounceChild)
  async announceChild({ circle }: JobPayloads[JobName.AnnounceChild]): Promise<void> {
    const state = await this.circles.circleState(circle);
    if (!state?.parent) throw new Error(`Circle ${circle} has no parent to be announced to`);
    await this.outbound.announceChild(circle, state.parent);
  }
}
