// What this instance sends its peers (SPEC §12.2): a new circle's signed genesis to its parent's
// instance, and receipts of decisions to the instance of the nearest ancestor that is not here —
// each with the entry, a checkpoint covering it and the inclusion proof. A receipt's checkpoint is a
// cosigned one when this instance has witnesses (SPEC §12.2): its delivery waits for them. Callers are queue jobs: a failure is retried with backoff until the peer
// acknowledges, and the peer's routes are idempotent.
import { Injectable, Logger } from '@nestjs/common';
import { parseQualifiedCircleId, qualifiedCircleId, isRemoteCircle } from '../core/formats/ids';
import type { BodyOf } from '../core/formats/statement-types';
import type { ProvenEntry } from '../core/verify/proven-entry';
import { CosignedCheckpointSource } from '../ledger/cosigned-checkpoints';
import { LedgerRepository } from '../ledger/ledger.repository';
import { LedgerService } from '../ledger/ledger.service';
import { FederationSettings } from './federation-settings';
import { PeerClient } from './peer-client';
import type { ReceiptRequest } from './dto/federation.requests';

/** Where a `ratify: true` motion's opening and its adopted amendments are in its log (ProposalsService.ratificationSources). */
export interface RatificationSources {
  openedSeq: number;
  amendments: Array<{ openedSeq: number; closedSeq: number }>;
}

@Injectable()
export class FederationOutbound {
  private readonly logger = new Logger('Federation');

  constructor(
    private readonly settings: FederationSettings,
    private readonly client: PeerClient,
    private readonly ledger: LedgerRepository,
    private readonly logs: LedgerService,
    private readonly cosigned: CosignedCheckpointSource,
  ) {}

  /** This circle's id as other instances name it: its checkpoint origin. */
  qualified(circle: string): string {
    return isRemoteCircle(circle) ? circle : qualifiedCircleId(this.settings.instanceName, circle);
  }

  /** An entry of one of this instance's logs with a checkpoint covering it and its inclusion proof. */
  async prove(circle: string, seq: number): Promise<ProvenEntry> {
    const stored = await this.ledger.entry(circle, seq);
    if (!stored) throw new Error(`No entry ${circle}#${seq}`);
    let checkpoint: string | null = null;
    try {
      const newest = await this.cosigned.newest(circle);
      if (Number(newest.split('\n')[1]) > seq) checkpoint = newest;
    } catch {
      checkpoint = null; // no witness policy, or nothing cosigned yet: the instance's own checkpoint
    }
    checkpoint ??= await this.logs.checkpoint(circle);
    const size = Number(checkpoint.split('\n')[1]);
    const inclusion = await this.logs.inclusion(circle, seq, size);
    // Checked against the very checkpoint it goes with before it is sent or signed into a receipt.
    await this.logs.checkInclusion(circle, seq, stored.line, checkpoint, inclusion.path);
    return { line: stored.line, checkpoint, proof: inclusion.path };
  }

  /** An entry of a log here with its inclusion proof in the tree of `checkpoint`'s size (the checkpoint is sent beside it). */
  private async includedAt(circle: string, seq: number, checkpoint: string): Promise<{ line: string; proof: string[] }> {
    const stored = await this.ledger.entry(circle, seq);
    if (!stored) throw new Error(`No entry ${circle}#${seq}`);
    const { path } = await this.logs.inclusion(circle, seq, Number(checkpoint.split('\n')[1]));
    await this.logs.checkInclusion(circle, seq, stored.line, checkpoint, path);
    return { line: stored.line, proof: path };
  }

  /** SPEC §12.2: the genesis of `circle`, whose parent is `parent` on another instance, sent there. */
  async announceChild(circle: string, parent: string): Promise<void> {
    const target = parseQualifiedCircleId(parent);
    if (!target) throw new Error(`${parent} is not a qualified circle id`);
    const answer = await this.client.post<{ circle: string; seq: number }>(target.instance, '/api/v1/federation/children', { genesis: await this.prove(circle, 0) });
    this.logger.log(`${target.instance} recorded ${circle} as a child of ${target.circle} (#${answer.seq})`);
  }

  /**
   * SPEC §8, §12.2: the receipt of a decision to `target` (a qualified id), the parent on another
   * instance of `via` (the highest circle here on the decision's way up). `carrierSeq`: the
   * receipt's entry in `via` when the decision was taken below it, so the peer can check that
   * this instance recorded it there; `decision`: the decision's entry line when it is here.
   */
  async deliverReceipt(
    target: string,
    via: string,
    receipt: BodyOf<'child.decision'>,
    carrierSeq: number | null,
    decision: string | null,
    ratification: RatificationSources | null = null,
  ): Promise<void> {
    const peer = parseQualifiedCircleId(target);
    if (!peer) throw new Error(`${target} is not a qualified circle id`);
    const sent = await this.cosignedForPeer(receipt);
    const included = (seq: number) => this.includedAt(sent.child, seq, sent.checkpoint);
    const request: ReceiptRequest = {
      via: this.qualified(via),
      receipt: { ...sent, child: this.qualified(sent.child) },
      ...(decision !== null ? { decision } : {}),
      ...(carrierSeq !== null ? { carrier: await this.prove(via, carrierSeq) } : {}),
      ...(ratification !== null
        ? {
            ratification: {
              opening: await included(ratification.openedSeq),
              amendments: await Promise.all(ratification.amendments.map(async (a) => ({ opening: await included(a.openedSeq), tally: await included(a.closedSeq) }))),
            },
          }
        : {}),
    };
    const answer = await this.client.post<{ circle: string; seq: number | null }>(peer.instance, '/api/v1/federation/receipts', request);
    this.logger.log(`Receipt of ${request.receipt.child} ${sent.proposal} acknowledged by ${peer.instance} (${answer.circle}#${answer.seq ?? 'already there'})`);
  }

  /**
   * SPEC §12.2: a receipt crosses instances with a cosigned child checkpoint. For a decision in a
   * log here, with a witness policy: the newest checkpoint that meets it, with the decision's proof
   * at its size; until one covers the decision, the delivery fails and its job retries with backoff
   * (a witness down delays receipts, as an unreachable parent does). Without a policy there is no
   * witness to ask, and the instance's own checkpoint goes. A receipt from a child on another
   * instance is forwarded with the checkpoint that instance sent (it cannot be cosigned again here).
   */
  private async cosignedForPeer(receipt: BodyOf<'child.decision'>): Promise<BodyOf<'child.decision'>> {
    if (isRemoteCircle(receipt.child) || !this.cosigned.witnessed) return receipt;
    const seq = receipt.entry.seq;
    const checkpoint = await this.cosigned.newest(receipt.child).catch(() => null);
    if (checkpoint === null || Number(checkpoint.split('\n')[1]) <= seq) {
      throw new Error(`The receipt of ${receipt.proposal} waits for the witnesses to cosign a checkpoint of ${receipt.child} covering #${seq}`);
    }
    if (checkpoint === receipt.checkpoint) return receipt;
    const { proof } = await this.includedAt(receipt.child, seq, checkpoint);
    return { ...receipt, checkpoint, proof };
  }
}
