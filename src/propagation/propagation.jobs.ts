import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobHandlerRegistry } from '../queue/job-handlers';
import { JobName } from '../queue/job-catalogue';
import { PropagationService } from './propagation.service';

/** SPEC §8, §9: one job per decision carries its receipt to every ancestor, nearest first. */
@Injectable()
export class PropagationJobs implements OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly propagation: PropagationService,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.PropagateDecision, async ({ circle, seq, ancestor }) => {
      await this.propagation.propagate(circle, seq, ancestor);
    });
  }
}
