// SPEC §3.5: appending to the logs. One writer per circle at a time (the head row is locked FOR
// UPDATE), many circles in parallel, and group commit: statements waiting for the same log are
// decided one after the other and appended in one transaction, so a hot circle pays one commit
// per batch rather than one per statement. A refusal leaves nothing written for that statement;
// a batch that fails as a whole is retried statement by statement.
import { Injectable, Logger } from '@nestjs/common';
import { ulid } from 'ulid';
import { LRUCache } from 'lru-cache';
import { DataSource, EntityManager } from 'typeorm';
import { EffectProjector, PlacedEffect } from './effect-projector';
import { AppConfigService } from '../config/app-config';
import { DomainError } from '../core/rules/domain-error';
import { InstanceKeyService } from '../identity/instance-key.service';
import { KeyIndexService } from '../identity/key-index.service';
import { KeysRepository } from '../identity/keys.repository';
import { signerOf } from '../core/rules/key-rules';
import type { Effect } from '../core/rules/state';
import { checkClock } from '../core/formats/statement';
import { LogEventsPublisher } from './log-events.publisher';
import { OutboxDispatcher } from '../queue/outbox.dispatcher';
import { OutboxRepository } from '../queue/outbox.repository';
import { JobItem } from '../queue/job-catalogue';
import { addNeeds, BatchState, emptyNeeds } from '../core/rules/batch-state';
import { derivedId, isRemoteCircle } from '../core/formats/ids';
import { decide, isGenesis, StatementContext, targetLog } from '../core/rules/decide';
import { Policy, SystemDraft } from '../core/rules/state';
import { parseCompact } from '../core/formats/statement';
import { BodyOf, SYSTEM_TYP } from '../core/formats/statement-types';
import { Clock } from '../common/clock';
import { pipelinedTransaction } from '../database/pipelined-transaction';
import { base64url, formatTimestamp } from '../core/formats/canonical-json';
import { encodeEntry } from '../core/formats/entry';
import { appendLeaves, EMPTY_ROOT, mapGetter, MerkleNode, root, rootKeys } from '../core/formats/merkle';
import { EntryRow, LedgerRepository, LogHead } from './ledger.repository';
import { BatchScheduler } from './batch-scheduler';
import { HeadCheck, IntegrityRepository } from './integrity.repository';
import { checkHead, checkSignedCheckpoint, CommittedHead, HeadProblem } from '../core/verify/head-check';
import { jobItems } from './job-requests';

export type { SystemDraft };

export interface AppendResult {
  circle: string;
  seq: number;
  leaf: string;
  /** The new circle's id (genesis) or the proposal's id (`proposal.open`). */
  id?: string;
}

/** A member's statement, verified and ready to append. */
export interface StatementSubmission {
  ctx: StatementContext;
  /** Server clock when received; the skew check uses it (SPEC §3.3). */
  receivedAt: number;
  system?: false;
  /** Proven by another instance's log (SPEC §12.2): its `at` is not held to this clock's skew. */
  imported?: boolean;
}

/**
 * A system statement the instance writes from state it must read under the log's lock (a tally
 * reads the votes and delegations in force at close). `compose` runs inside the transaction after
 * the lock is taken; it returns null when there is nothing (left) to append.
 */
export interface SystemSubmission {
  system: true;
  lane: string;
  /** Other logs the composed statement's follow-ups append to (a fork's parent). */
  alsoLock?: string[];
  /**
   * True when `compose` reads nothing that other statements of its log in the same batch could
   * change (a receipt): it may then be batched behind them. Otherwise it opens its log's part of
   * a batch (see `take`).
   */
  independentOfBatch?: boolean;
  receivedAt: number;
  /** The statement to sign with the instance key and append, or null when nothing is (left) due. */
  compose(m: EntityManager): Promise<SystemDraft | null>;
}


export type Submission = StatementSubmission | SystemSubmission;

type Pending = Submission & {
  /** The log whose writer serializes this statement. */
  lane: string;
  /** The statement; composed under the lock for system submissions. */
  ctx: StatementContext | null;
  resolve(result: AppendResult | null): void;
  reject(error: unknown): void;
};

/** Statements per transaction: large enough to amortize the commit, small enough for p99. */
const MAX_BATCH = 256;
/** Transactions appending at once (each over its own set of logs). */
const MAX_COMMITTERS = 4;
/**
 * While a transaction is running, another starts only once every running one has taken this long.
 * Under a steady load the statements then gather behind the running transaction into one larger
 * batch: fewer transactions, so less CPU in PostgreSQL and here (with four at once from the start,
 * the spread workload of bench:ingest made batches of ~5 and ran 25-30 % slower). A slow
 * transaction (a large tally composed under its lock) still cannot hold up the other logs for
 * longer than this.
 */
const EXTRA_COMMITTER_AFTER_MS = 50;
/** Logs whose checked checkpoint and committed head the writer remembers (about 1 KB each). */
const KNOWN_LOGS = 10_000;

interface WorkingLog {
  head: LogHead;
  committedSize: number;
  leaves: Uint8Array[];
  /** Its frontier at `committedSize`, when not read with the batch's (see `lock`). */
  frontier?: MerkleNode[];
}

@Injectable()
export class LedgerWriter {
  private readonly logger = new Logger('LedgerWriter');
  private readonly scheduler: BatchScheduler<Pending>;
  private readonly clockSkewSeconds: number;
  private readonly policy: Policy;
  /** Pipelined queries, except on the embedded PGlite. */
  private readonly pipelining: boolean;
  /** Per log, the newest signed checkpoint already checked against the stored nodes. */
  private readonly checkedCheckpoints = new LRUCache<string, { size: number; root: Uint8Array }>({ max: KNOWN_LOGS });
  /**
   * Per log, the head this process last committed, with the frontier its root was computed from:
   * while the stored head is still that one, checking it hashes nothing (`checkHead`).
   */
  private readonly committedHeads = new LRUCache<string, CommittedHead>({ max: KNOWN_LOGS });

  constructor(
    private readonly ds: DataSource,
    private readonly ledger: LedgerRepository,
    private readonly projections: EffectProjector,
    private readonly instanceKey: InstanceKeyService,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly clock: Clock,
    private readonly events: LogEventsPublisher,
    private readonly integrity: IntegrityRepository,
    private readonly keyIndex: KeyIndexService,
    private readonly keys: KeysRepository,
    config: AppConfigService,
  ) {
    this.clockSkewSeconds = config.get('CLOCK_SKEW_SECONDS');
    this.policy = { minProposalWindowMs: config.get('MIN_PROPOSAL_WINDOW_SECONDS') * 1000 };
    // A few transactions in flight keep PostgreSQL busy while one commits; more only contend.
    this.pipelining = !config.embeddedDatabase;
    const committers = config.embeddedDatabase ? 1 : Math.max(1, Math.min(MAX_COMMITTERS, config.get('DATABASE_POOL_SIZE') - 2));
    this.scheduler = new BatchScheduler<Pending>(
      { maxBatch: MAX_BATCH, committers, extraCommitterAfterMs: EXTRA_COMMITTER_AFTER_MS },
      (batch) => this.run(batch),
    );
  }

  /** Queue a verified statement for its log; resolves once durably committed. */
  submit(submission: StatementSubmission): Promise<AppendResult> {
    return new Promise<AppendResult | null>((resolve, reject) => {
      this.scheduler.enqueue({ ...submission, lane: laneOf(submission.ctx), resolve, reject });
    }) as Promise<AppendResult>;
  }

  /** The one place the instance signs a system statement it appends (SPEC §3.3). */
  private signed(draft: SystemDraft | null): StatementContext | null {
    if (draft === null) return null;
    const jws = this.sign(draft, this.clock.now());
    const ctx: StatementContext = { payload: parseCompact(jws).payload, signer: this.instanceKey.kid, jws };
    return draft.carried ? { ...ctx, carried: draft.carried } : ctx;
  }

  private sign(draft: SystemDraft, at: number): string {
    return this.instanceKey.instance.sign(draft.type, draft.circle, draft.body as BodyOf<typeof draft.type>, { at: formatTimestamp(at), typ: SYSTEM_TYP });
  }

  /** Append a system statement composed under the lock of `lane`; null when nothing was due. */
  submitSystem(submission: Omit<SystemSubmission, 'system'>): Promise<AppendResult | null> {
    return new Promise<AppendResult | null>((resolve, reject) => {
      this.scheduler.enqueue({ ...submission, system: true, ctx: null, resolve, reject });
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      await this.commit(batch);
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      this.logger.warn(`Batch of ${batch.length} failed (${(error as Error).message}); retrying one by one`);
      for (const item of batch) await this.commit([item]).catch((e) => item.reject(e));
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true; result: AppendResult | null } | { ok: false; error: unknown }> = [];
    let jobs: Array<{ item: JobItem; runAt: number }> = [];
    let grownHeads: LogHead[] = [];
    let committedHeads: CommittedHead[] = [];
    const detected = new Map<string, HeadProblem>();
    let committedKeys: Array<{ effect: Effect }> = [];
    // One READ COMMITTED transaction, its queries pipelined: BEGIN, the head locks, the state the
    // batch needs, the replay check and the Merkle frontiers go out together (one round trip; each
    // statement takes its snapshot after the locks before it are granted); then the writes and the
    // COMMIT together (a second one). A batch with a system statement first waits for the locks and
    // composes it.
    try {
    await pipelinedTransaction(this.ds, this.pipelining, async (m, commit) => {
      outcomes.length = 0;
      jobs = [];
      detected.clear();
      const locking = this.lock(m, batch);
      // SPEC §11: the keys lock and the index's revocations, right behind the head locks; a batch
      // that revokes a key holds it exclusively. A revocation, or a recovery key's replacement, reads
      // when its member last signed anything.
      const members = batch.filter((item) => !item.system);
      const revoking = members.filter((item) => endsAKey(item.ctx!.payload.type));
      const exclusive = members.some((item) => item.ctx!.payload.type === 'member.key.revoke');
      const keysSynced = members.length ? this.keyIndex.sync(m, exclusive) : Promise.resolve();
      const lastSigned = Promise.all(revoking.map((item) => this.keys.lastSignedAt(m, item.ctx!.signer)));
      const contexts = new Map<Pending, StatementContext | null>();
      if (batch.some((item) => item.system)) await locking;
      for (const item of batch) contexts.set(item, item.system ? this.signed(await item.compose(m)) : item.ctx);
      const needs = emptyNeeds();
      for (const ctx of contexts.values()) if (ctx) addNeeds(needs, ctx.payload, ctx.signer, ctx.kid);
      const [logs, , signedAt, loaded, replayed, frontiers, checks] = await settled([
        locking,
        keysSynced,
        lastSigned,
        this.projections.load(m, needs),
        this.ledger.seenStatementIds(
          m,
          batch.filter((i) => !i.system).map((i) => ({ signer: i.ctx!.signer, id: i.ctx!.payload.id })),
        ),
        this.ledger.lockedFrontiers(m, lockSet(batch)),
        this.integrity.headChecks(m, lockSet(batch), this.checkedCheckpoints),
      ] as const);
      const frozen = this.checkLogs(logs, frontiers, checks, detected);
      const state = new BatchState(loaded);
      const rows: EntryRow[] = [];
      const placed: PlacedEffect[] = [];
      const genesisLeaves = new Map<string, string>();
      const now = this.clock.now();
      /** Per member: the latest recordedAt of an entry signed for her, in the logs or in this batch. */
      const lastSignedFor = new Map<string, number>();
      revoking.forEach((item, i) => {
        const at = signedAt[i];
        if (at !== null) lastSignedFor.set(item.ctx!.signer, Math.max(at, lastSignedFor.get(item.ctx!.signer) ?? at));
      });

      for (const item of batch) {
        const ctx = contexts.get(item) ?? null;
        if (!ctx) {
          outcomes.push({ ok: true, result: null });
          continue;
        }
        try {
          const { payload, signer } = ctx;
          const replayKey = `${signer}/${payload.id}`;
          if (!item.system) {
            if (replayed.has(replayKey)) throw new DomainError('REPLAYED_STATEMENT', 'This statement id was already used by its signer', 'id');
            if (!item.imported) checkClock(payload.at, item.receivedAt, this.clockSkewSeconds);
          }
          const target = targetLog(ctx);
          const genesis = isGenesis(ctx);
          if (payload.seen) await this.checkSeen(m, target, payload.seen, logs.get(target));
          if (!genesis && !logs.has(target)) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${target}`, 'circle');
          let recordedAt = Math.max(now, logs.get(target)?.head.lastRecordedAt ?? 0);
          if (!item.system) {
            if (endsAKey(payload.type)) recordedAt = await this.afterLastSigned(recordedAt, lastSignedFor.get(signer));
            if (payload.type !== 'member.register') {
              const kid = ctx.kid ?? signer;
              if (signerOf(state.key(kid) ?? this.keyIndex.get(kid), kid, payload.type, recordedAt) !== signer) {
                throw new DomainError('UNKNOWN_KEY', `Key ${kid} is not a key of ${signer}`, 'kid');
              }
            }
          }
          refuseFrozen(frozen, target);
          const decision = decide(ctx, { recordedAt, receivedAt: item.receivedAt }, state, this.policy);
          for (const follow of decision.followUps) refuseFrozen(frozen, follow.circle);
          replayed.add(replayKey);
          if (genesis) logs.set(target, newLog(target));
          const entry = this.place(logs.get(target) as WorkingLog, ctx.jws, payload.type, signer, payload.id, recordedAt, rows);
          if (!item.system) lastSignedFor.set(signer, Math.max(recordedAt, lastSignedFor.get(signer) ?? recordedAt));
          if (genesis) genesisLeaves.set(target, entry.leaf);
          for (const effect of decision.effects) {
            if (effect.kind === 'proposal.opened') effect.proposal.openedSeq = entry.seq;
            state.apply(effect);
            placed.push({ effect, circle: target, seq: entry.seq });
          }
          for (const follow of decision.followUps) {
            const log = logs.get(follow.circle);
            if (!log) throw new Error(`Follow-up for unlocked log ${follow.circle}`);
            const draft = follow.draft(entry.leaf);
            const jws = this.sign(draft, now);
            const placedAt = this.place(log, jws, draft.type, this.instanceKey.kid, ulidOf(jws), now, rows);
            for (const effect of follow.effects ?? []) {
              state.apply(effect);
              placed.push({ effect, circle: follow.circle, seq: placedAt.seq });
            }
          }
          for (const job of decision.jobs ?? []) jobs.push(...jobItems(job, entry.seq, now));
          const id = genesis || payload.type === 'proposal.open' ? { id: derivedId(ctx.jws) } : {};
          outcomes.push({ ok: true, result: { circle: target, seq: entry.seq, leaf: entry.leaf, ...id } });
        } catch (error) {
          if (!(error instanceof DomainError) && !isStatementError(error)) throw error;
          outcomes.push({ ok: false, error });
        }
      }

      const grown = [...logs.values()].filter((log) => log.leaves.length);
      const heads: LogHead[] = [];
      const nodes: Array<MerkleNode & { circle: string }> = [];
      const newHeads: CommittedHead[] = [];
      for (const log of grown) {
        const appended = appendLeaves(log.committedSize, mapGetter(log.frontier ?? frontiers.get(log.head.circle) ?? []), log.leaves);
        for (const node of appended.nodes) nodes.push({ ...node, circle: log.head.circle });
        heads.push({ ...log.head, size: appended.size, root: appended.root });
        newHeads.push({ size: appended.size, root: appended.root, frontier: appended.frontier });
      }
      // Pipelined, the COMMIT in the same flight: every write is issued before it is (a write that
      // fails aborts the transaction, and COMMIT answers ROLLBACK). The entries go first (the
      // projections' rows name them).
      const writes = [this.ledger.append(m, rows, nodes, heads), this.projections.apply(m, placed, genesisLeaves), this.outbox.add(m, jobs)];
      await settled([...writes, commit()]);
      grownHeads = heads;
      committedHeads = newHeads;
      committedKeys = placed.filter((p) => p.effect.kind === 'key.added' || p.effect.kind === 'key.revoked');
    });
    this.keyIndex.committed(committedKeys);
    grownHeads.forEach((head, i) => this.committedHeads.set(head.circle, committedHeads[i]));
    } finally {
      for (const [circle, problem] of detected) await this.freeze(circle, problem);
    }
    if (jobs.length) this.dispatcher.kick();
    this.events.appended(grownHeads);
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
  }

  /**
   * The logs of this batch that must not grow: frozen already, or whose head disagrees with the
   * stored Merkle nodes or with the newest checkpoint the instance signed (those go in `detected`,
   * frozen once the transaction is over). A checkpoint checked once is not checked again.
   */
  private checkLogs(
    logs: Map<string, WorkingLog>,
    frontiers: Map<string, MerkleNode[]>,
    checks: Map<string, HeadCheck>,
    detected: Map<string, HeadProblem>,
  ): Map<string, HeadProblem> {
    const frozen = new Map<string, HeadProblem>();
    for (const [circle, log] of logs) {
      const check = checks.get(circle);
      if (!check) continue; // a registry head created in this transaction
      if (check.frozen) {
        frozen.set(circle, { code: check.frozen.code as HeadProblem['code'], reason: check.frozen.reason });
        continue;
      }
      const head = log.head;
      let problem = checkHead({ ...head, frontier: log.frontier ?? frontiers.get(circle) ?? [], lastNode: check.lastNode }, this.committedHeads.get(circle));
      const cp = check.checkpoint;
      if (!problem && cp) {
        problem = checkSignedCheckpoint(head, cp);
        if (!problem && cp.frontier) this.checkedCheckpoints.set(circle, { size: cp.size, root: cp.root });
      }
      if (problem) {
        frozen.set(circle, problem);
        detected.set(circle, problem);
      }
    }
    return frozen;
  }

  private async freeze(circle: string, problem: HeadProblem): Promise<void> {
    this.checkedCheckpoints.delete(circle);
    this.committedHeads.delete(circle);
    try {
      if (await this.integrity.freeze(circle, problem.code, problem.reason, 'writer')) {
        this.logger.error(`Log ${circle} frozen: ${problem.code}: ${problem.reason}. Appends to it are refused (LOG_FROZEN) until an operator acts (docs/operations.md#self-audit)`);
      }
    } catch (e) {
      this.logger.error(`Log ${circle} is altered (${problem.code}: ${problem.reason}) but could not be frozen: ${(e as Error).message}`);
    }
  }

  /** Lock the heads of every existing log this batch appends to. */
  private async lock(m: EntityManager, batch: Pending[]): Promise<Map<string, WorkingLog>> {
    const circles = new Set(lockSet(batch));
    const heads = await this.ledger.lockHeads(m, [...circles]);
    const logs = new Map<string, WorkingLog>();
    for (const head of heads.values()) logs.set(head.circle, { head: { ...head }, committedSize: head.size, leaves: [] });
    // The registry log exists from the first registration on.
    if (circles.has('registry') && !logs.has('registry')) {
      await this.ledger.ensureHead(m, 'registry');
      const again = await this.ledger.lockHeads(m, ['registry']);
      const head = again.get('registry') as LogHead;
      // Another writer may have created and grown it meanwhile: its frontier is read now, under the
      // lock, not with the rest of the batch's.
      const frontier = (await this.ledger.lockedFrontiers(m, ['registry'])).get('registry') ?? [];
      logs.set('registry', { head: { ...head }, committedSize: head.size, leaves: [], frontier });
    }
    return logs;
  }

  private place(log: WorkingLog, jws: string, type: string, signer: string, statementId: string, now: number, rows: EntryRow[]) {
    const head = log.head;
    const recordedAt = Math.max(now, head.lastRecordedAt ?? 0);
    const seq = head.size;
    const { line, leaf } = encodeEntry({
      v: 1,
      circle: head.circle,
      seq,
      prev: head.lastLeaf ? base64url(head.lastLeaf) : null,
      recordedAt: formatTimestamp(recordedAt),
      jws,
    });
    rows.push({ circle: head.circle, seq, leaf, line, type, signer, statementId, recordedAt });
    log.leaves.push(leaf);
    head.size = seq + 1;
    head.lastLeaf = leaf;
    head.lastRecordedAt = recordedAt;
    return { seq, leaf: base64url(leaf) };
  }

  /**
   * SPEC §11: a revocation is recorded strictly after every entry already signed by the key it
   * revokes (here: by any key of its member, which includes them), waiting for the clock if it must.
   */
  private async afterLastSigned(recordedAt: number, lastSigned: number | undefined): Promise<number> {
    if (lastSigned === undefined || lastSigned < recordedAt) return recordedAt;
    const floor = lastSigned + 1;
    const wait = floor - this.clock.now();
    if (wait > 0) await sleep(wait); // once: a clock held still by a test does not hold the writer
    return Math.max(recordedAt, floor);
  }

  /** SPEC §3.6b: `seen` must be a prefix of the current log. */
  private async checkSeen(m: EntityManager, circle: string, seen: { size: number; root: string }, log: WorkingLog | undefined) {
    const committed = log?.committedSize ?? 0;
    if (seen.size > committed) throw new DomainError('SEEN_NOT_PREFIX', `The log has only ${committed} entries`, 'seen.size');
    const nodes: MerkleNode[] = seen.size ? await this.ledger.nodes(circle, rootKeys(seen.size), m) : [];
    const actual = base64url(root(seen.size, mapGetter(nodes)));
    if (actual !== seen.root) throw new DomainError('SEEN_NOT_PREFIX', 'seen.root is not the root of this log at that size', 'seen.root');
  }
}

/** A frozen log takes nothing: its own statements, and no follow-up of another log's. */
function refuseFrozen(frozen: Map<string, HeadProblem>, circle: string): void {
  const problem = frozen.get(circle);
  if (!problem) return;
  throw new DomainError(
    'LOG_FROZEN',
    `The log of ${circle} is frozen: the self-audit found it altered below the service (${problem.code}: ${problem.reason}). ` +
      'It is still served for reading; appends resume once an operator has restored or accepted it (docs/operations.md#self-audit).',
    'circle',
  );
}

/** The logs a batch locks: every lane (a root genesis's lane is its new circle, with no head yet). */
function lockSet(batch: Pending[]): string[] {
  return [...new Set(batch.flatMap((item) => [item.lane, ...(item.system ? (item.alsoLock ?? []) : [])]))];
}

/**
 * Await pipelined queries together: the results in order, or the first failure once every one
 * has settled (a failure aborts the transaction, and the queries behind it fail as well).
 */
async function settled<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A sub-circle's genesis is serialized with its parent's log, where `child.created` goes. */
function laneOf(ctx: StatementContext): string {
  const p = ctx.payload;
  if (p.type === 'circle.create' && p.body.parent && !isRemoteCircle(p.body.parent)) return p.body.parent;
  return targetLog(ctx);
}

function newLog(circle: string): WorkingLog {
  return { head: { circle, size: 0, root: EMPTY_ROOT, lastLeaf: null, lastRecordedAt: null }, committedSize: 0, leaves: [] };
}

/** A revocation, or the replacement of a recovery key (which then signs nothing more). */
function endsAKey(type: string): boolean {
  return type === 'member.key.revoke' || type === 'member.recovery.set';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ulidOf(jws: string): string {
  const payload = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8')) as { id?: string };
  return payload.id ?? ulid();
}

function isStatementError(e: unknown): boolean {
  return e instanceof Error && e.name === 'StatementError';
}

