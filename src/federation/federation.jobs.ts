import { Injectable, OnModuleInit } from '@nestjs/common';
import { CirclesRepository } from '../circles/circles.repository';
import { JobHandlerRegistry } from '../queue/job-handlers';
import { JobName } from '../queue/job-catalogue';
import { FederationOutbound } from './federation-outbound';

/** SPEC §12.2, §9: a new circle whose parent is on another instance is announced there, retried until acknowledged. */
@Injectable()
export class FederationJobs implements OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly circles: CirclesRepository,
    private readonly outbound: FederationOutbound,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.AnnounceChild, async ({ circle }) => {
      const state = await this.circles.circleState(circle);
      if (!state?.parent) throw new Error(`Circle ${circle} has no parent to be announced to`);
      await this.outbound.announceChild(circle, state.parent);
    });
  }
}
