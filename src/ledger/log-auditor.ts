// The self-audit (docs/operations.md#self-audit): a periodic worker job re-verifies every log
// with the verifier of `archipel verify` (src/core/verify/), against every checkpoint the instance
// signed and the newest one it published outside the database (CheckpointMirror). Incremental: a
// log is read from where its last audit stopped (log_audit), and from its first entry at least
// every AUDIT_FULL_PASS_HOURS. The registry goes first: its keys over time (SPEC §11), as its
// verifier accepted them, are what every circle log's member statements are checked against (the
// key and its validity at the entry's recordedAt), as `archipel verify` does; nothing is taken
// from the key tables, which are projections. Every stored Merkle node is held to the one the
// entries give, as it is read (the nodes the entries read this pass complete: the new ones, or all
// of them on a full pass), so a proof is never built from a node changed behind the service's back
// longer than one pass. A mismatch freezes the log (log_freeze): never repaired here.
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { equalBytes } from '../core/crypto/crypto';
import type { PublicKeyHandle } from '../core/crypto/crypto';
import { Ed25519PublicJwk, PublicKeyCache, publicKeyFromJwk } from '../core/formats/keys';
import type { KeyBook } from '../core/rules/key-rules';
import { appendLeaves, frontierKeys, leafHash, mapGetter, MerkleNode, root, rootKeys } from '../core/formats/merkle';
import {
  CheckpointFailure,
  checkAgainstCheckpoint,
  LogVerifier,
  originOf,
  REGISTRY,
  VerificationFailure,
  verifyCheckpoint,
} from '../core/verify/verify-log';
import { InstanceKeyService } from '../identity/instance-key.service';
import { HandlesJob } from '../queue/job-handlers';
import { JobName } from '../queue/job-catalogue';
import { CheckpointMirror } from './checkpoint-mirror';
import { IntegrityRepository } from './integrity.repository';
import { LedgerRepository } from './ledger.repository';

const PAGE = 2000;

export interface AuditOutcome {
  circle: string;
  /** Entries read this time. */
  read: number;
  full: boolean;
  /** Set when the log was found altered (and frozen). */
  problem?: { code: string; reason: string };
  /** Already frozen: not audited again until an operator lifts the freeze. */
  frozen?: boolean;
}

class AuditProblem extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

@Injectable()
export class LogAuditor {
  private readonly logger = new Logger('SelfAudit');
  private readonly fullPassMs: number;
  /**
   * The registry's keys over time, as the registry's verifier (`registryVerifier`) holds them after
   * the last pass that verified it, and the registry's size then. A circle log is checked against
   * them; they are taken again whenever the registry has grown. Null while the registry is
   * frozen: the circle logs' signatures are then checked against the key tables, without the
   * keys' validity in time, rather than every circle being frozen for the registry's fault.
   */
  private registryKeys: { size: number; book: KeyBook } | null = null;
  /**
   * The registry's verifier, kept from one pass to the next: it holds the keys over time of every
   * entry so far, which a verifier resumed from the saved state does not, so a pass reads only the
   * registry's new entries. Built from the first entry once per process and on each full pass.
   */
  private registryVerifier: { verifier: LogVerifier; size: number } | null = null;
  private readonly publicKeys = new PublicKeyCache();
  /** This pass's key tables, read once if a circle needs them (see `registryKeys`). */
  private tableKeysOfPass: Promise<Map<string, PublicKeyHandle>> | null = null;

  constructor(
    private readonly integrity: IntegrityRepository,
    private readonly ledger: LedgerRepository,
    private readonly mirror: CheckpointMirror,
    private readonly instanceKey: InstanceKeyService,
    config: AppConfigService,
  ) {
    this.fullPassMs = config.get('AUDIT_FULL_PASS_HOURS') * 3_600_000;
  }

  /** Audit every log (and every log with a published checkpoint); returns what it found. */
  @HandlesJob(JobName.AuditLogs)
  async auditAll(opts: { full?: boolean } = {}): Promise<AuditOutcome[]> {
    const circles = new Set(await this.integrity.circles());
    for (const published of this.mirror.circles()) circles.add(published);
    const outcomes: AuditOutcome[] = [];
    this.tableKeysOfPass = null;
    const order = [...circles].sort((a, b) => Number(b === REGISTRY) - Number(a === REGISTRY) || (a < b ? -1 : a > b ? 1 : 0));
    for (const circle of order) {
      const outcome = await this.audit(circle, opts.full ?? false);
      if (circle === REGISTRY && (outcome.problem || outcome.frozen)) {
        // Read again from its first entry once an operator has restored it and lifted the freeze.
        this.registryKeys = null;
        this.registryVerifier = null;
      }
      outcomes.push(outcome);
    }
    const found = outcomes.filter((o) => o.problem);
    if (found.length) this.logger.error(`Self-audit: ${found.length} log(s) frozen: ${found.map((o) => `${o.circle} (${o.problem?.code})`).join(', ')}`);
    return outcomes;
  }

  private async audit(circle: string, forceFull: boolean, retried = false): Promise<AuditOutcome> {
    if (await this.integrity.isFrozen(circle)) return { circle, read: 0, full: false, frozen: true };
    const state = await this.integrity.auditState(circle);
    const now = Date.now();
    let full = forceFull || !state || now - state.fullPassAt >= this.fullPassMs;
    let read = 0;
    try {
      const head = await this.ledger.head(circle);
      const published = this.publishedCheckpoint(circle);
      if (!head) throw new AuditProblem('LOG_MISSING', `the log is missing, but a checkpoint of it at size ${published?.size} was published`);
      // The registry's verifier decides each key change against the keys over time of every entry
      // before it (SPEC §11), which a verifier resumed from a saved frontier does not hold, and the
      // circle logs need those keys: the registry goes on with the verifier kept from the last pass
      // (`registryVerifier`), or is verified from its first entry when there is none.
      const live = circle === REGISTRY ? this.registryVerifier : null;
      if (live && head.size < live.size) throw new AuditProblem('LOG_SHRANK', `the log has ${head.size} entries, the last audit verified ${live.size}`);
      if (circle === REGISTRY && !live) full = true;
      const from = full ? 0 : live ? live.size : (state?.size ?? 0);
      if (head.size < from) throw new AuditProblem('LOG_SHRANK', `the log has ${head.size} entries, the last audit verified ${from}`);

      const signed = await this.integrity.checkpointsAbove(circle, from);
      if (published && published.size > from) signed.push(published);
      const origin = originOf(this.instanceKey.name, circle);
      const checkpoints = signed.map((cp) => {
        try {
          return verifyCheckpoint(cp.note, this.instanceKey.noteKey, origin);
        } catch (e) {
          throw e instanceof CheckpointFailure ? new AuditProblem(e.code, `checkpoint at size ${cp.size}: ${e.reason}`) : e;
        }
      });

      const book = circle === REGISTRY ? undefined : this.registryKeys?.book;
      const tableKeys = circle === REGISTRY || book ? null : await (this.tableKeysOfPass ??= this.tableKeys());
      const options = {
        circle,
        keys: (kid: string) => {
          if (kid === this.instanceKey.kid) return this.instanceKey.publicKey;
          if (tableKeys) return tableKeys.get(kid);
          const key = book?.key(kid);
          return key && this.publicKeys.getOrImport(key.jwk, kid);
        },
        instanceKid: this.instanceKey.kid,
        rootsAt: checkpoints.map((c) => c.size),
        keyBook: book,
      };
      let verifier: LogVerifier;
      if (full || (!state && !live)) verifier = new LogVerifier(options);
      else if (live) {
        verifier = live.verifier;
        verifier.keepRootsAt(options.rootsAt);
      } else verifier = LogVerifier.resume(options, state as NonNullable<typeof state>);
      if (circle === REGISTRY) this.registryVerifier = null; // until this pass has verified it
      const tree = new StoredTreeCheck(from, verifier.prefix.frontier);
      for (let next = from; next < head.size; ) {
        const page = await this.ledger.lines(circle, next, Math.min(PAGE, head.size - next));
        if (!page.length) throw new AuditProblem('LOG_SHRANK', `entries from ${next} on are missing (the head says ${head.size})`);
        const leaves: Uint8Array[] = [];
        for (const row of page) {
          if (row.seq !== next) throw new AuditProblem('BAD_SEQ', `entry ${next} is missing`);
          verifier.push(row.line);
          leaves.push(leafHash(utf8.encode(row.line)));
          next++;
          read++;
        }
        const expected = tree.push(leaves);
        tree.compare(expected, await this.integrity.nodesCompletedBy(circle, next - leaves.length, next));
      }
      if (head.size === 0 && circle !== REGISTRY) throw new AuditProblem('EMPTY_LOG', 'the log is empty');
      const summary = head.size === 0 ? null : verifier.finish();
      const rootNow = summary?.root ?? root(0, mapGetter([]));
      if (!equalBytes(rootNow, head.root)) throw new AuditProblem('HEAD_MISMATCH', `the entries give another root than the head's at size ${head.size}`);
      if (summary && (!head.lastLeaf || !summary.lastLeaf || !equalBytes(summary.lastLeaf, head.lastLeaf))) {
        throw new AuditProblem('HEAD_MISMATCH', "the head's last leaf is not the last entry's");
      }
      const stored = root(head.size, mapGetter(await this.ledger.nodes(circle, rootKeys(head.size))));
      if (!equalBytes(stored, rootNow)) throw new AuditProblem('MERKLE_MISMATCH', `the stored Merkle nodes give another root than the entries at size ${head.size}`);
      for (const checkpoint of checkpoints) {
        try {
          if (summary) checkAgainstCheckpoint(summary, checkpoint);
          else if (checkpoint.size > 0) throw new CheckpointFailure('CHECKPOINT_AHEAD', `checkpoint covers ${checkpoint.size} entries, the log has 0`);
        } catch (e) {
          throw e instanceof CheckpointFailure ? new AuditProblem(e.code, e.reason) : e;
        }
        if (checkpoint.size > 0 && checkpoint.size < head.size) {
          const nodes = await this.ledger.nodes(circle, rootKeys(checkpoint.size));
          if (!equalBytes(root(checkpoint.size, mapGetter(nodes)), checkpoint.root)) {
            throw new AuditProblem('MERKLE_MISMATCH', `the stored Merkle nodes give another root than the checkpoint at size ${checkpoint.size}`);
          }
        }
      }
      await this.integrity.saveAuditState(circle, verifier.prefix, rootNow, full ? now : (state?.fullPassAt ?? now));
      if (circle === REGISTRY) {
        this.registryVerifier = { verifier, size: head.size };
        if (this.registryKeys?.size !== head.size) this.registryKeys = { size: head.size, book: verifier.keyBook() };
      }
      return { circle, read, full };
    } catch (e) {
      const problem = toProblem(e);
      if (!problem) throw e;
      // A key the registry's keys (as last verified) do not know may have been added since: verify
      // the registry again and this log once more before calling it altered.
      if (circle !== REGISTRY && !retried && (problem.code === 'UNKNOWN_KEY' || problem.code === 'UNKNOWN_MEMBER')) {
        const registry = await this.ledger.head(REGISTRY);
        if (registry && this.registryKeys && registry.size !== this.registryKeys.size) {
          const again = await this.audit(REGISTRY, false);
          if (again.problem || again.frozen) {
            this.registryKeys = null;
            this.registryVerifier = null;
          }
          return this.audit(circle, forceFull, true);
        }
      }
      if (await this.integrity.freeze(circle, problem.code, problem.reason, 'audit')) {
        this.logger.error(`Log ${circle} frozen: ${problem.code}: ${problem.reason}. Appends to it are refused (LOG_FROZEN) until an operator acts (docs/operations.md#self-audit)`);
      }
      return { circle, read, full, problem };
    }
  }

  /** Every key in the key tables (kid → public key): the fallback while the registry is frozen. */
  private async tableKeys(): Promise<Map<string, PublicKeyHandle>> {
    const keys = new Map<string, PublicKeyHandle>();
    for (const [kid, jwk] of await this.integrity.memberJwks()) {
      try {
        keys.set(kid, publicKeyFromJwk(jwk as Ed25519PublicJwk));
      } catch {
        // a member row whose key does not import: its statements fail their signature check
      }
    }
    return keys;
  }

  private publishedCheckpoint(circle: string) {
    try {
      return this.mirror.read(circle);
    } catch (e) {
      throw new AuditProblem('BAD_PUBLISHED_CHECKPOINT', (e as Error).message);
    }
  }
}

const utf8 = new TextEncoder();

/**
 * The Merkle nodes the entries give, page by page, from the verified frontier the audit starts at:
 * each page's leaves complete exactly the perfect nodes whose last leaf is in the page, which are
 * then compared with the stored ones (a node missing, or another hash: MERKLE_MISMATCH).
 */
class StoredTreeCheck {
  private frontier: MerkleNode[];

  constructor(
    private size: number,
    hashes: Uint8Array[],
  ) {
    this.frontier = frontierKeys(size).map((k, i) => ({ ...k, hash: hashes[i] }));
  }

  /** The nodes `leaves` complete, in creation order. */
  push(leaves: Uint8Array[]): MerkleNode[] {
    const appended = appendLeaves(this.size, mapGetter(this.frontier), leaves);
    this.size = appended.size;
    this.frontier = appended.frontier;
    return appended.nodes;
  }

  compare(expected: MerkleNode[], stored: MerkleNode[]): void {
    const byKey = new Map(stored.map((n) => [`${n.level}:${n.index}`, n.hash]));
    for (const node of expected) {
      const hash = byKey.get(`${node.level}:${node.index}`);
      if (hash === undefined) throw new AuditProblem('MERKLE_MISMATCH', `the stored Merkle node (${node.level}, ${node.index}) is missing`);
      if (!equalBytes(hash, node.hash)) throw new AuditProblem('MERKLE_MISMATCH', `the stored Merkle node (${node.level}, ${node.index}) is not the hash the entries give`);
    }
  }
}

function toProblem(e: unknown): { code: string; reason: string } | null {
  if (e instanceof AuditProblem) return { code: e.code, reason: e.reason };
  if (e instanceof VerificationFailure) return { code: e.code, reason: `entry ${e.seq}: ${e.reason}` };
  if (e instanceof CheckpointFailure) return { code: e.code, reason: e.reason };
  // A stored node missing or malformed (root() throws on it).
  if (e instanceof Error && /Merkle node|hash/i.test(e.message)) return { code: 'MERKLE_MISMATCH', reason: e.message };
  return null;
}
