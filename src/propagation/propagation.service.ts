// SPEC §8: carry an adopted decision, with proof, to an ancestor's log: the child's tally entry
// (seq and leaf hash), a signed child checkpoint covering it and the inclusion proof.
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CirclesRepository } from '../circles/circles.repository';
import { parseCompact } from '../core/formats/statement';
import { base64url } from '../core/formats/canonical-json';
import { decodeEntryLine } from '../core/formats/entry';
import { LedgerRepository } from '../ledger/ledger.repository';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { ProposalsService } from '../proposals/proposals.service';
import { PropagationRepository } from './propagation.repository';
import { Clock } from '../common/clock';
import { isRemoteCircle } from '../core/formats/ids';
import { FederationOutbound } from '../federation/federation-outbound';
import type { BodyOf } from '../core/formats/statement-types';
import type { Outcome } from '../core/formats/vocabulary';
import type { ReceiptsAnswer } from '../proposals/dto/proposal.answers';

@Injectable()
export class PropagationService {
  private readonly logger = new Logger('Propagation');

  constructor(
    private readonly clock: Clock,
    private readonly ledger: LedgerRepository,
    private readonly receipts: PropagationRepository,
    private readonly circles: CirclesRepository,
    private readonly writer: LedgerWriter,
    private readonly proposals: ProposalsService,
    private readonly outbound: FederationOutbound,
  ) {}

  /** SPEC §8: the child.decision receipts of a proposal's tally so far, nearest ancestor first. */
  async receiptsOf(proposal: string): Promise<ReceiptsAnswer> {
    const circle = await this.proposals.circleOf(proposal);
    const [receipts, ancestors] = await Promise.all([this.receipts.receipts(proposal), this.circles.ancestorsOf(circle)]);
    const depth = new Map(ancestors.map((a, i) => [a, i]));
    return { items: receipts.sort((a, b) => (depth.get(a.ancestor) ?? Infinity) - (depth.get(b.ancestor) ?? Infinity) || a.seq - b.seq) };
  }

  /**
   * Carry the decision at `circle`#`seq` from `ancestor` up to the root: the receipt in each
   * ancestor's log, nearest first. One job per decision: it completes only once the root holds its
   * receipt (or, when an ancestor is on another instance, once that instance acknowledged it: it
   * carries the receipt on), so a retry or a redispatch after a crash resumes where it stopped;
   * each receipt is written once (checked before and under the ancestor's lock).
   *
   * The entry is a `tally.result`, or (SPEC §12.2) a `child.decision` of a decision taken on
   * another instance, which goes up one hop per job from the circle that recorded it here.
   * Returns the receipts appended by this call.
   */
  async propagate(circle: string, seq: number, ancestor: string): Promise<AppendResult[]> {
    const stored = await this.ledger.entry(circle, seq);
    if (!stored) throw new Error(`No entry ${circle}#${seq}`);
    const decoded = decodeEntryLine(stored.line);
    if (!decoded.ok) throw new Error(`Entry ${circle}#${seq} does not decode: ${decoded.reason}`);
    const statement = parseCompact(decoded.entry.jws).payload;

    if (statement.type === 'child.decision') {
      const receipt = statement.body;
      if (isRemoteCircle(ancestor)) {
        await this.outbound.deliverReceipt(ancestor, circle, receipt, seq, null);
        return [];
      }
      const appended = await this.appendReceipt(ancestor, receipt);
      return appended ? [appended] : [];
    }
    if (statement.type !== 'tally.result') throw new Error(`Entry ${circle}#${seq} is a ${statement.type}, not a tally.result`);
    const { proposal, outcome } = statement.body;

    const chain = await this.circles.ancestorsOf(circle);
    const from = chain.indexOf(ancestor);
    if (from < 0) throw new Error(`${ancestor} is not an ancestor of ${circle}`);
    const parent = chain[0];
    // The same receipt goes to every ancestor: one child checkpoint covering the decision and
    // the inclusion proof against it, read once and only if some receipt is missing.
    let body: BodyOf<'child.decision'> | null = null;
    const appended: AppendResult[] = [];
    for (const [i, target] of chain.entries()) {
      if (i < from) continue;
      if (isRemoteCircle(target)) {
        // The highest circle here has its parent on another instance: that instance takes it on.
        const via = i === 0 ? circle : chain[i - 1];
        const carrier = via === circle ? null : await this.receipts.receiptSeq(via, circle, proposal);
        if (via !== circle && carrier === null) throw new Error(`No receipt of ${circle} ${proposal} in ${via} yet`);
        body ??= await this.receiptBody(circle, seq, decoded.leaf, proposal, outcome);
        // The parent on the other instance ratifies a `ratify: true` motion of its direct child.
        const ratification = via === circle && outcome === 'adopted' ? await this.proposals.ratificationSources(proposal) : null;
        await this.outbound.deliverReceipt(target, via, body, carrier, stored.line, ratification);
        break;
      }
      if (!(await this.receipts.exists(this.ledger.dataSource, target, circle, proposal))) {
        body ??= await this.receiptBody(circle, seq, decoded.leaf, proposal, outcome);
        const result = await this.appendReceipt(target, body);
        if (result) appended.push(result);
      }
      // A motion adopted with `ratify: true` also asks its parent to ratify it (once).
      if (target === parent && outcome === 'adopted') await this.proposals.openRatification(proposal, parent);
    }
    return appended;
  }

  /** The receipt in `target`'s log, unless it holds it already (null then). */
  async appendReceipt(target: string, receipt: BodyOf<'child.decision'>): Promise<AppendResult | null> {
    const result = await this.writer.submitSystem({
      lane: target,
      receivedAt: this.clock.now(),
      // A receipt depends on no other entry of the ancestor's log: it may share a batch.
      independentOfBatch: true,
      compose: async (m: EntityManager) => {
        if (await this.receipts.exists(m, target, receipt.child, receipt.proposal)) return null;
        return { type: 'child.decision', circle: target, body: receipt };
      },
    });
    if (result) this.logger.log(`Receipt of ${receipt.child} ${receipt.proposal} in ${target}#${result.seq}`);
    return result;
  }

  /** The receipt's body: the checkpoint is cosigned when the witnesses have cosigned one covering the decision (SPEC §12.1). */
  private async receiptBody(circle: string, seq: number, leaf: Uint8Array, proposal: string, outcome: Outcome): Promise<BodyOf<'child.decision'>> {
    const { checkpoint, proof } = await this.outbound.prove(circle, seq);
    return { child: circle, proposal, outcome, entry: { seq, leaf: base64url(leaf) }, checkpoint, proof };
  }
}
