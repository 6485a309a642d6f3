// SPEC §8: carry an adopted decision, with proof, to an ancestor's log: the child's tally entry
// (seq and leaf hash), a signed child checkpoint covering it and the inclusion proof.
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CirclesRepository } from '../circles/circles.repository';
import { parseCompact } from '../core/formats/statement';
import { base64url } from '../core/formats/canonical-json';
import { decodeEntryLine } from '../core/formats/entry';
import { LedgerRepository } from '../ledger/ledger.repository';
import { LedgerService } from '../ledger/ledger.service';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { ProposalsService } from '../proposals/proposals.service';
import { PropagationRepository } from './propagation.repository';
import { Clock } from '../common/clock';
import type { BodyOf } from '../core/formats/statement-types';
import type { Outcome } from '../core/formats/vocabulary';
import type { ReceiptsAnswer } from '../proposals/dto/proposal.answers';

@Injectable()
export class PropagationService {
  private readonly logger = new Logger('Propagation');

  constructor(
    private readonly clock: Clock,
    private readonly ledger: LedgerRepository,
    private readonly logs: LedgerService,
    private readonly receipts: PropagationRepository,
    private readonly circles: CirclesRepository,
    private readonly writer: LedgerWriter,
    private readonly proposals: ProposalsService,
  ) {}

  /** SPEC §8: the child.decision receipts of a proposal's tally so far, nearest ancestor first. */
  async receiptsOf(proposal: string): Promise<ReceiptsAnswer> {
    const circle = await this.proposals.circleOf(proposal);
    const [receipts, ancestors] = await Promise.all([this.receipts.receipts(proposal), this.circles.ancestorsOf(circle)]);
    const depth = new Map(ancestors.map((a, i) => [a, i]));
    return { items: receipts.sort((a, b) => (depth.get(a.ancestor) ?? Infinity) - (depth.get(b.ancestor) ?? Infinity) || a.seq - b.seq) };
  }

  /**
   * Carry the decision at `circle`#`seq` (a tally.result) from `ancestor` up to the root: the
   * receipt in each ancestor's log, nearest first. One job per decision: it completes only once
   * the root holds its receipt, so a retry or a redispatch after a crash resumes where it stopped;
   * each receipt is written once (checked before and under the ancestor's lock). Returns the
   * receipts appended by this call.
   */
  async propagate(circle: string, seq: number, ancestor: string): Promise<AppendResult[]> {
    const stored = await this.ledger.entry(circle, seq);
    if (!stored) throw new Error(`No entry ${circle}#${seq}`);
    const decoded = decodeEntryLine(stored.line);
    if (!decoded.ok) throw new Error(`Entry ${circle}#${seq} does not decode: ${decoded.reason}`);
    const tally = parseCompact(decoded.entry.jws).payload;
    if (tally.type !== 'tally.result') throw new Error(`Entry ${circle}#${seq} is a ${tally.type}, not a tally.result`);
    const { proposal, outcome } = tally.body;

    const chain = await this.circles.ancestorsOf(circle);
    const from = chain.indexOf(ancestor);
    if (from < 0) throw new Error(`${ancestor} is not an ancestor of ${circle}`);
    const parent = chain[0];
    // The same receipt goes to every ancestor: one child checkpoint covering the decision and
    // the inclusion proof against it, read once and only if some receipt is missing.
    let body: BodyOf<'child.decision'> | null = null;
    const appended: AppendResult[] = [];
    for (const target of chain.slice(from)) {
      if (!(await this.receipts.exists(this.ledger.dataSource, target, circle, proposal))) {
        body ??= await this.receiptBody(circle, seq, decoded.leaf, proposal, outcome);
        const receipt = body;
        const result = await this.writer.submitSystem({
          lane: target,
          receivedAt: this.clock.now(),
          // A receipt depends on no other entry of the ancestor's log: it may share a batch.
          independentOfBatch: true,
          compose: async (m: EntityManager) => {
            if (await this.receipts.exists(m, target, circle, proposal)) return null;
            return { type: 'child.decision', circle: target, body: receipt };
          },
        });
        if (result) {
          this.logger.log(`Receipt of ${circle}#${seq} in ${target}#${result.seq}`);
          appended.push(result);
        }
      }
      // A motion adopted with `ratify: true` also asks its parent to ratify it (once).
      if (target === parent && outcome === 'adopted') await this.proposals.openRatification(proposal, parent);
    }
    return appended;
  }

  private async receiptBody(circle: string, seq: number, leaf: Uint8Array, proposal: string, outcome: Outcome): Promise<BodyOf<'child.decision'>> {
    const checkpoint = await this.logs.checkpoint(circle);
    const size = Number(checkpoint.split('\n')[1]);
    const inclusion = await this.logs.inclusion(circle, seq, size);
    return { child: circle, proposal, outcome, entry: { seq, leaf: base64url(leaf) }, checkpoint, proof: inclusion.path };
  }
}
