// SPEC §3.5, §3.6, §3.8: reading logs, proofs and checkpoints. Entries are served exactly as
// stored; proofs read O(log n) perfect-subtree nodes, never the whole log.
import { Injectable } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { InstanceKeyService } from '../identity/instance-key.service';
import { REGISTRY } from '../core/rules/state';
import { base64url } from '../core/formats/canonical-json';
import {
  consistencyProof,
  consistencyProofKeys,
  EMPTY_ROOT,
  inclusionProof,
  inclusionProofKeys,
  mapGetter,
  root,
  rootKeys,
} from '../core/formats/merkle';
import { formatCheckpoint } from '../core/formats/signed-note';
import { LedgerRepository, LogHead } from './ledger.repository';
import { CheckpointMirror } from './checkpoint-mirror';

const PAGE = 5000;

@Injectable()
export class LedgerService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly instanceKey: InstanceKeyService,
    private readonly mirror: CheckpointMirror,
  ) {}

  origin(circle: string): string {
    return circle === REGISTRY ? `${this.instanceKey.name}/registry` : `${this.instanceKey.name}/circles/${circle}`;
  }

  async head(circle: string): Promise<LogHead> {
    const head = await this.ledger.head(circle);
    if (head) return head;
    if (circle === REGISTRY) return { circle, size: 0, root: EMPTY_ROOT, lastLeaf: null, lastRecordedAt: null };
    throw new DomainError('UNKNOWN_CIRCLE', `No circle ${circle}`);
  }

  /** The log as JSON Lines from `from`, streamed page by page. */
  async *lines(circle: string, from: number): AsyncGenerator<string> {
    const head = await this.head(circle);
    for (let next = from; next < head.size; ) {
      const page = await this.ledger.lines(circle, next, Math.min(PAGE, head.size - next));
      if (!page.length) return;
      for (const row of page) yield `${row.line}\n`;
      next = page[page.length - 1].seq + 1;
    }
  }

  /** A signed checkpoint of the whole current log (cached per size; never re-signed). */
  async checkpoint(circle: string): Promise<string> {
    const head = await this.head(circle);
    return this.checkpointAt(circle, head.size, head.root);
  }

  async checkpointAt(circle: string, size: number, rootHash: Uint8Array): Promise<string> {
    const cached = await this.ledger.checkpoint(circle, size);
    if (cached) {
      this.mirror.publish(circle, size, cached);
      return cached;
    }
    const note = this.instanceKey.signNote(formatCheckpoint(this.origin(circle), size, rootHash));
    const saved = await this.ledger.saveCheckpoint(circle, size, rootHash, note);
    this.mirror.publish(circle, size, saved);
    return saved;
  }

  async rootAt(circle: string, size: number): Promise<Uint8Array> {
    return root(size, mapGetter(await this.ledger.nodes(circle, rootKeys(size))));
  }

  async inclusion(circle: string, seq: number, size?: number) {
    const head = await this.head(circle);
    const treeSize = size ?? head.size;
    if (treeSize > head.size) throw new DomainError('INVALID_RANGE', `The log has ${head.size} entries`, 'size');
    if (seq >= treeSize) throw new DomainError('INVALID_RANGE', 'seq must be smaller than size', 'seq');
    const keys = [...inclusionProofKeys(seq, treeSize), ...rootKeys(treeSize), { level: 0, index: seq }];
    const get = mapGetter(await this.ledger.nodes(circle, keys));
    return {
      seq,
      size: treeSize,
      leaf: base64url(get(0, seq)),
      root: base64url(root(treeSize, get)),
      path: inclusionProof(seq, treeSize, get).map(base64url),
    };
  }

  async consistency(circle: string, from: number, to?: number) {
    const head = await this.head(circle);
    const toSize = to ?? head.size;
    if (toSize > head.size) throw new DomainError('INVALID_RANGE', `The log has ${head.size} entries`, 'to');
    if (from > toSize) throw new DomainError('INVALID_RANGE', 'from must not exceed to', 'from');
    const get = mapGetter(await this.ledger.nodes(circle, consistencyProofKeys(from, toSize)));
    return { from, to: toSize, path: consistencyProof(from, toSize, get).map(base64url) };
  }
}
