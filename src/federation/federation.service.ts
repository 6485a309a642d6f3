// What this instance takes from its peers (SPEC §12.2): a child's signed genesis (recorded with
// `child.created`), receipts of decisions taken below one of its circles on other instances
// (appended as `child.decision`), and members registered elsewhere (their registry entries,
// appended to this registry as they were signed). Everything is checked against the sending
// instance's pinned key, its signed checkpoint and inclusion proofs before anything is written;
// every route is idempotent, so a peer retries until it is acknowledged.
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CirclesRepository } from '../circles/circles.repository';
import { Clock } from '../common/clock';
import { base64url, canonicalJson } from '../core/formats/canonical-json';
import { derivedId, parseQualifiedCircleId, qualifiedCircleId, isRemoteCircle } from '../core/formats/ids';
import { parseCheckpoint } from '../core/formats/signed-note';
import { cosigners, splitNote } from '../core/formats/cosignature';
import { satisfies } from '../core/formats/witness-policy';
import { assertSignature, parseCompact, type ParsedStatement } from '../core/formats/statement';
import { DomainError } from '../core/rules/domain-error';
import { isSignedByInstance, motionToRatify, verifyProvenEntry, type MotionToRatify, type ProvenEntry, type VerifiedEntry } from '../core/verify/proven-entry';
import { CheckpointFailure } from '../core/verify/verification';
import { KeyIndexService } from '../identity/key-index.service';
import { LedgerWriter } from '../ledger/ledger-writer';
import { PropagationService } from '../propagation/propagation.service';
import { ProposalsService } from '../proposals/proposals.service';
import { StatementsService } from '../statements/statements.service';
import type { ChildRequest, MemberImport, ReceiptRequest } from './dto/federation.requests';
import { FederationSettings } from './federation-settings';
import { PeerClient } from './peer-client';
import type { PinnedPeer } from './peers.repository';

export interface Appended {
  circle: string;
  /** null when it was already there (a retry) */
  seq: number | null;
}

@Injectable()
export class FederationService {
  private readonly logger = new Logger('Federation');

  constructor(
    private readonly settings: FederationSettings,
    private readonly client: PeerClient,
    private readonly circles: CirclesRepository,
    private readonly propagation: PropagationService,
    private readonly keys: KeyIndexService,
    private readonly writer: LedgerWriter,
    private readonly statements: StatementsService,
    private readonly clock: Clock,
    private readonly ds: DataSource,
    private readonly proposals: ProposalsService,
  ) {}

  /** SPEC §4, §12.2: a circle of another instance whose parent is here, from its signed genesis. */
  async recordChild(req: ChildRequest): Promise<Appended & { child: string }> {
    const origin = originOfNote(req.genesis.checkpoint);
    const where = parseQualifiedCircleId(origin);
    if (!where) throw new DomainError('PEER_BAD_REQUEST', `The checkpoint's origin ${origin} is not a circle's`, 'genesis.checkpoint');
    const peer = await this.client.trusted(this.peerName(where.instance, 'genesis.checkpoint'));
    const { entry, leaf, checkpoint } = proven(req.genesis, peer, origin, 'genesis');
    if (entry.seq !== 0 || entry.circle !== where.circle || derivedId(entry.jws) !== where.circle) {
      throw new DomainError('PEER_BAD_REQUEST', `That entry is not the genesis of ${where.circle}`, 'genesis.line');
    }
    const statement = parseCompact(entry.jws);
    const p = statement.payload;
    if (p.type !== 'circle.create' && p.type !== 'circle.forked') throw new DomainError('PEER_BAD_REQUEST', `A genesis is a circle.create or a circle.forked, not a ${p.type}`, 'genesis.line');
    const parentRef = p.body.parent;
    const parent = parentRef ? parseQualifiedCircleId(parentRef) : null;
    if (!parent || parent.instance !== this.settings.instanceName) {
      throw new DomainError('PEER_BAD_REQUEST', `That circle's parent is ${parentRef ?? 'none'}, not a circle of ${this.settings.instanceName}`, 'genesis.line');
    }
    const here = await this.circles.circleState(parent.circle);
    if (!here) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${parent.circle} here`, 'genesis.line');
    if (p.type === 'circle.create') {
      // The creator must be a member of the parent (SPEC §4), with a key valid here now (§11).
      const key = await this.keys.lookup(statement.header.kid);
      if (!key || key.record.role !== 'active' || key.record.revokedAt !== null) {
        throw new DomainError('UNKNOWN_KEY', `The genesis is signed by ${statement.header.kid}, no active key of a member of this instance`, 'genesis.line');
      }
      assertSignature(statement, key.publicKey);
      if (!here.members.includes(key.record.member)) throw new DomainError('NOT_A_MEMBER', 'The creator must be a member of the parent circle', 'genesis.line');
    } else {
      assertPeerSigned(statement, peer, 'genesis.line');
    }
    await this.client.record([await this.client.holdConsistent(peer, origin, req.genesis.checkpoint, checkpoint, req)]);
    const result = await this.writer.submitSystem({
      lane: parent.circle,
      receivedAt: this.clock.now(),
      compose: async (m: EntityManager) => {
        if (await this.circles.remoteChildParent(m, origin)) return null;
        return { type: 'child.created', circle: parent.circle, body: { child: origin, genesis: { leaf: base64url(leaf) } } };
      },
    });
    if (result) this.logger.log(`Recorded ${origin} as a child of ${parent.circle} (#${result.seq})`);
    return { circle: parent.circle, seq: result?.seq ?? null, child: origin };
  }

  /**
   * SPEC §12.2, with PEER_WITNESS_POLICY: the child checkpoint of a receipt is cosigned as the
   * policy asks (its note's cosignature lines checked against the policy's witness keys).
   */
  private requireCosigned(checkpoint: string, child: string): void {
    const policy = this.settings.peerPolicy;
    if (!policy) return;
    const names = new Set(policy.witnesses.filter((w) => cosigners(checkpoint, [w.key]).length > 0).map((w) => w.name));
    if (satisfies(policy, names)) return;
    const by = names.size ? [...names].join(', ') : 'no witness of the policy';
    throw new DomainError('PEER_NOT_COSIGNED', `The checkpoint of ${child} is cosigned by ${by}, short of this instance's PEER_WITNESS_POLICY: send one its witnesses cosigned`, 'receipt.checkpoint');
  }

  /** SPEC §8, §12.2: a decision taken below `via` on other instances, recorded in `via`'s parent here. */
  async recordReceipt(req: ReceiptRequest): Promise<Appended> {
    const via = parseQualifiedCircleId(req.via) as { instance: string; circle: string };
    const viaPeer = await this.client.trusted(this.peerName(via.instance, 'via'));
    const target = await this.circles.remoteChildParent(this.ds, req.via);
    if (!target) throw new DomainError('UNKNOWN_CHILD', `${req.via} is no child of any circle here: its genesis was never recorded (child.created)`, 'via');
    const receipt = req.receipt;
    const origin = parseQualifiedCircleId(receipt.child);
    if (!origin) throw new DomainError('PEER_BAD_REQUEST', 'A receipt from another instance names its child by qualified id', 'receipt.child');
    const originPeer = await this.client.trusted(this.peerName(origin.instance, 'receipt.child'));
    if (receipt.outcome === 'rejected') throw new DomainError('PEER_BAD_REQUEST', 'Only adopted decisions and forks propagate (SPEC §8)', 'receipt.outcome');

    // The decision: the child's tally.result, signed by its instance, in the checkpoint given.
    const line = req.decision ?? (await this.client.entryLine(origin.instance, origin.circle, receipt.entry.seq));
    const decided = proven({ line, checkpoint: receipt.checkpoint, proof: receipt.proof }, originPeer, receipt.child, 'receipt');
    if (decided.entry.seq !== receipt.entry.seq || base64url(decided.leaf) !== receipt.entry.leaf) {
      throw new DomainError('PEER_BAD_PROOF', 'The decision entry is not the one the receipt names (seq and leaf)', 'receipt.entry');
    }
    this.requireCosigned(receipt.checkpoint, receipt.child);
    const tally = parseCompact(decided.entry.jws);
    assertPeerSigned(tally, originPeer, 'decision');
    if (tally.payload.type !== 'tally.result' || tally.payload.body.proposal !== receipt.proposal || tally.payload.body.outcome !== receipt.outcome) {
      throw new DomainError('PEER_BAD_PROOF', "The decision entry is not that proposal's tally with that outcome", 'decision');
    }
    // Held to what the peers showed before now; recorded only once every check below has passed.
    const held = [await this.client.holdConsistent(originPeer, receipt.child, receipt.checkpoint, decided.checkpoint, req)];

    // Taken below `via`: the sender's own log shows it recorded the same receipt in `via`.
    if (receipt.child !== req.via) {
      if (!req.carrier) throw new DomainError('PEER_BAD_REQUEST', `The decision was taken in ${receipt.child}, below ${req.via}: send the receipt's entry in ${req.via} (carrier)`, 'carrier');
      const carried = proven(req.carrier, viaPeer, req.via, 'carrier');
      const statement = parseCompact(carried.entry.jws);
      assertPeerSigned(statement, viaPeer, 'carrier.line');
      const body = statement.payload.type === 'child.decision' ? statement.payload.body : null;
      const same = body && canonicalJson({ ...body, child: qualify(body.child, via.instance) }) === canonicalJson(receipt);
      if (!same) throw new DomainError('PEER_BAD_PROOF', `The carrier entry is not this receipt in ${req.via}`, 'carrier.line');
      held.push(await this.client.holdConsistent(viaPeer, req.via, req.carrier.checkpoint, carried.checkpoint, req));
    }

    let ratification: MotionToRatify | null = null;
    if (req.ratification) {
      if (receipt.child !== req.via || receipt.outcome !== 'adopted') {
        throw new DomainError('PEER_BAD_REQUEST', 'Only an adopted motion of the direct child is ratified (SPEC §8)', 'ratification');
      }
      ratification = peerProof(() => motionToRatify(receipt.proposal, receipt.child, originPeer.noteKey, receipt.checkpoint, req.ratification!), originPeer, 'ratification');
    }

    await this.client.record(held);
    const result = await this.propagation.appendReceipt(target, receipt);
    // SPEC §8: a `ratify: true` motion of a child opens its ratification here, once (retries included).
    if (ratification) await this.proposals.openRatificationMotion(target, { circle: receipt.child, proposal: receipt.proposal }, ratification.title, ratification.text, ratification.windowMs);
    return { circle: target, seq: result?.seq ?? null };
  }

  /**
   * SPEC §12.2: a member registered on another instance, brought here: her registry entries there
   * (member.register and the key statements of §11), proven by its registry checkpoint, appended to
   * this registry as they were signed. Entries already here are skipped.
   */
  async importMember(req: MemberImport): Promise<{ member: string; appended: number; present: number }> {
    const peer = await this.client.trusted(this.peerName(req.instance, 'instance'));
    const home = await this.client.get<{ checkpoint: string; entries: Array<{ line: string; proof: string[] }> }>(
      peer.name,
      `/api/v1/federation/members/${req.member}/registry`,
    );
    if (!home || typeof home.checkpoint !== 'string' || !Array.isArray(home.entries) || home.entries.length === 0) {
      throw new DomainError('PEER_BAD_PROOF', `${peer.name} shows no registry entry of ${req.member}`, 'member');
    }
    const origin = `${peer.name}/registry`;
    const entries = home.entries.map((e, i) => proven({ line: e.line, checkpoint: home.checkpoint, proof: e.proof }, peer, origin, `entries.${i}`));
    const first = parseCompact(entries[0].entry.jws);
    if (first.payload.type !== 'member.register' || first.header.kid !== req.member) {
      throw new DomainError('PEER_BAD_PROOF', `${peer.name}'s first registry entry of ${req.member} is not her member.register`, 'member');
    }
    await this.client.record([await this.client.holdConsistent(peer, origin, home.checkpoint, entries[0].checkpoint, req)]);
    let appended = 0;
    let present = 0;
    for (const { entry } of entries.sort((a, b) => a.entry.seq - b.entry.seq)) {
      try {
        await this.statements.submit(entry.jws, { imported: true });
        appended++;
      } catch (e) {
        if (!(e instanceof DomainError) || (e.code !== 'REPLAYED_STATEMENT' && e.code !== 'ALREADY_REGISTERED')) throw e;
        present++;
      }
    }
    this.logger.log(`Member ${req.member} from ${peer.name}: ${appended} registry entries appended, ${present} already here`);
    return { member: req.member, appended, present };
  }

  private peerName(instance: string, field: string): string {
    if (instance === this.settings.instanceName) throw new DomainError('PEER_BAD_REQUEST', `${instance} is this instance: name its circles by their plain ids`, field);
    return instance;
  }
}

function originOfNote(note: string): string {
  try {
    return parseCheckpoint(splitNote(note).text).origin;
  } catch (e) {
    throw new DomainError('PEER_BAD_PROOF', `Not a checkpoint: ${(e as Error).message}`, 'checkpoint');
  }
}

/** A proof check of core/verify/proven-entry.ts, its failure a PEER_BAD_PROOF naming the peer and the field. */
function peerProof<T>(check: () => T, peer: PinnedPeer, field: string): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof CheckpointFailure) throw new DomainError('PEER_BAD_PROOF', `${peer.name}: ${e.reason}`, field);
    throw e;
  }
}

function proven(entry: ProvenEntry, peer: PinnedPeer, origin: string, field: string): VerifiedEntry {
  return peerProof(() => verifyProvenEntry(entry, peer.noteKey, origin), peer, field);
}

/** A system statement of the peer: signed by the key pinned for it. */
function assertPeerSigned(statement: ParsedStatement, peer: PinnedPeer, field: string): void {
  if (!isSignedByInstance(statement, peer.noteKey)) {
    throw new DomainError('PEER_BAD_PROOF', `That statement is not a system statement signed by ${peer.name}`, field);
  }
}

function qualify(circle: string, instance: string): string {
  return isRemoteCircle(circle) ? circle : qualifiedCircleId(instance, circle);
}
