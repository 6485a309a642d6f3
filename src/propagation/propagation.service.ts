// SPEC §8: carry an adopted decision, with proof, to an ancestor's log: the child's tally entry
// (seq and leaf hash), a signed child checkpoint covering it and the inclusion proof.
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CirclesRepository } from '../circles/circles.repository';
import { InstanceKeyService } from '../identity/instance-key.service';
import { parseCompact } from '../identity/domain/statement';
import { base64url, formatTimestamp } from '../ledger/domain/canonical-json';
import { decodeEntryLine } from '../ledger/domain/entry';
import { LedgerRepository } from '../ledger/ledger.repository';
import { LedgerService } from '../ledger/ledger.service';
import { AppendResult, LedgerWriter } from '../ledger/ledger-writer';
import { ProposalsService } from '../proposals/proposals.service';
import { PropagationRepository } from './propagation.repository';

@Injectable()
export class PropagationService {
  private readonly logger = new Logger('Propagation');

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly logs: LedgerService,
    private readonly receipts: PropagationRepository,
    private readonly circles: CirclesRepository,
    private readonly writer: LedgerWriter,
    private readonly instanceKey: InstanceKeyService,
    private readonly proposals: ProposalsService,
  ) {}

  /** Append the receipt of `circle`#`seq` (a tally.result) to `ancestor`; idempotent. */
  async propagate(circle: string, seq: number, ancestor: string): Promise<AppendResult | null> {
    const stored = await this.ledger.entry(circle, seq);
    if (!stored) throw new Error(`No entry ${circle}#${seq}`);
    const decoded = decodeEntryLine(stored.line);
    if (!decoded.ok) throw new Error(`Entry ${circle}#${seq} does not decode: ${decoded.reason}`);
    const tally = parseCompact(decoded.entry.jws).payload;
    if (tally.type !== 'tally.result') throw new Error(`Entry ${circle}#${seq} is a ${tally.type}, not a tally.result`);
    const { proposal, outcome } = tally.body;
    if (await this.receipts.exists(this.ledger.dataSource, ancestor, circle, proposal)) return null;

    // A checkpoint of the child's log that covers the decision, and the proof against it.
    const checkpoint = await this.logs.checkpoint(circle);
    const size = Number(checkpoint.split('\n')[1]);
    const inclusion = await this.logs.inclusion(circle, seq, size);
    const body = { child: circle, proposal, outcome, entry: { seq, leaf: base64url(decoded.leaf) }, checkpoint, proof: inclusion.path };

    const result = await this.writer.submitSystem({
      lane: ancestor,
      receivedAt: Date.now(),
      compose: async (m: EntityManager) => {
        if (await this.receipts.exists(m, ancestor, circle, proposal)) return null;
        const jws = this.instanceKey.instance.sign('child.decision', ancestor, body as never, { at: formatTimestamp(Date.now()) });
        return { payload: parseCompact(jws).payload, signer: this.instanceKey.kid, jws };
      },
    });
    if (result) this.logger.log(`Receipt of ${circle}#${seq} in ${ancestor}#${result.seq}`);

    // A motion adopted with `ratify: true` also asks its parent to ratify it.
    const parent = (await this.circles.circleState(circle))?.parent;
    if (outcome === 'adopted' && ancestor === parent) await this.proposals.openRatification(proposal, ancestor);
    return result;
  }
}
