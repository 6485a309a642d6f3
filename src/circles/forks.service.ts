// SPEC §7: executing a fork decided by a `tally.result` with outcome `forked` — exactly one new
// circle per fork, whatever the retries (state check under the lock, unique fork_cause).
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { base64url } from '../core/formats/canonical-json';
import { LedgerRepository } from '../ledger/ledger.repository';
import { LedgerService } from '../ledger/ledger.service';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { ProposalsRepository } from '../proposals/proposals.repository';
import { HandlesJob } from '../queue/job-handlers';
import { JobName } from '../queue/job-catalogue';
import { CirclesRepository } from './circles.repository';
import { Clock } from '../common/clock';

@Injectable()
export class ForksService {
  private readonly logger = new Logger('Forks');

  constructor(
    private readonly clock: Clock,
    private readonly circles: CirclesRepository,
    private readonly proposals: ProposalsRepository,
    private readonly ledger: LedgerRepository,
    private readonly logs: LedgerService,
    private readonly writer: LedgerWriter,
  ) {}

  /** SPEC §7: the fork a closed proposal decided, once (null when it decided none, or it is done). */
  @HandlesJob(JobName.ExecuteFork)
  async execute({ proposal }: { proposal: string }): Promise<AppendResult | null> {
    const p = await this.proposals.proposal(proposal);
    if (!p || p.result?.outcome !== 'forked') return null;
    const atSeq = await this.proposals.closedSeq(p.id);
    if (atSeq === null) return null;
    const original = await this.circles.circleState(p.circle);
    if (!original) return null;
    // The last shared entry is the tally that decided the fork; the checkpoint proves the history.
    const shared = await this.ledger.entry(p.circle, atSeq);
    if (!shared) throw new Error(`No entry ${p.circle}#${atSeq}`);
    const checkpoint = await this.logs.checkpointAt(p.circle, atSeq + 1, await this.logs.rootAt(p.circle, atSeq + 1));
    const result = await this.writer.submitSystem({
      lane: p.circle,
      alsoLock: original.parent ? [original.parent] : [],
      receivedAt: this.clock.now(),
      compose: async (m: EntityManager) => {
        if (await this.circles.forkExists(m, p.id)) return null;
        // A split proposal: those who chose leave; a split-regime motion: those who voted yes directly.
        const leavers = await this.proposals.directVotersStillMembers(p, p.kind === 'split' ? 'leave' : 'yes', m);
        if (!leavers.length) return null;
        const carried = await this.circles.delegationsWithin(m, p.circle, leavers, atSeq);
        const current = await this.circles.regimeOf(m, p.circle);
        const body = {
          from: p.circle,
          atSeq,
          atLeaf: base64url(shared.leaf),
          checkpoint,
          name: p.kind === 'split' ? (p.body.name as string) : p.title,
          parent: original.parent,
          regime: current.regime,
          params: current.params,
          members: leavers,
          delegations: carried.map((d) => d.leaf),
          cause: p.id,
        };
        return { type: 'circle.forked', circle: null, body, carried };
      },
    });
    if (result) this.logger.log(`Fork of ${p.circle} by ${p.id}: new circle ${result.id}`);
    return result;
  }
}
