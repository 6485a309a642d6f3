import { Injectable } from '@nestjs/common';
import { HandlesJob } from '../queue/job-handlers';
import { JobName, type JobPayloads } from '../queue/job-catalogue';
import { PropagationService } from './propagation.service';

/** SPEC §8, §9: one job per decision carries its receipt to every ancestor, nearest first. */
@Injectable()
export class PropagationJobs {
  constructor(private readonly propagation: PropagationService) {}

  @HandlesJob(JobName.PropagateDecision)
  async propagate({ circle, seq, ancestor }: JobPayloads[JobName.PropagateDecision]): Promise<void> {
    await this.propagation.propagate(circle, seq, ancestor);
  }
}
