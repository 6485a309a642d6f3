// `archipel verify` — the offline verifier (SPEC §3.5, §3.6, §3.8): it checks a
// circle's log and the instance registry entry by entry — format, chain,
// signatures — and against the instance's signed checkpoints, trusting nothing
// but the instance's note key.
//
// The rules are those of src/core/verify/; this file plans what to read
// (files or an instance's URLs), runs the checks and prints the report.
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  Checkpoint,
  CheckpointFailure,
  checkAgainstCheckpoint,
  checkConsistencyProof,
  checkOlderCheckpoint,
  instanceFromNoteKey,
  InstanceIdentity,
  LogSummary,
  LogVerifier,
  originOf,
  REGISTRY,
  verifyCheckpoint,
} from '../../core/verify/verify-log';
import { isEd25519PublicJwk } from '../../core/formats/keys';
import { parseCompact } from '../../core/formats/statement';
import { decodeEntryBytes } from '../../core/formats/entry';
import { LogReplay, ReplayDecoder, ReplayFailure } from '../../core/verify/replay';
import { checkCosignatureQuorum, parseWitnessKeys, QuorumFailure } from '../../core/verify/cosignature-quorum';
import type { WitnessKey } from '../../core/formats/cosignature';
import { scopeOf } from '../../core/rules/state';
import type { CarriedDelegation, MemberState } from '../../core/rules/state';
import type { KeyView } from '../../core/rules/key-rules';
import { failedFrom, InputError, UsageError, VerifyFailed } from '../errors';
import { isUrl, lineBatches, openSource, readJson, readText, splitLines } from '../sources';
import { DEFAULT_BATCH_BYTES, verifyLogStream } from '../verify-pool';
import type { CliContext } from '../context';

export interface VerifyRequest {
  /** instance mode: the instance's base URL and the circle to verify */
  instance?: string;
  circle?: string;
  /** file mode: the circle log, the registry log, the circle's checkpoint, the instance's note key */
  log?: string;
  registry?: string;
  checkpoint?: string;
  key?: string;
  registryCheckpoint?: string;
  oldCheckpoint?: string;
  /** file mode: the original circle's log, when this circle is a fork (instance mode fetches it) */
  forkOf?: string;
  /** witnesses' cosignature/v1 verifier keys: the checkpoints must carry `quorum` valid cosignatures */
  witness?: string[];
  quorum?: number;
  threads: number;
  batchBytes?: number;
  workerFile?: string;
  /** called with the number of bytes of the circle log read so far, and its total if known */
  onProgress?: (read: number, total: number | undefined) => void;
}

export interface VerifyReport {
  /** `tally.result` entries recomputed from the log and found equal. */
  tallies: number;
  /** `regime.changed` entries recomputed from the log and found equal. */
  regimeChanges: number;
  /** For a fork: the original circle, the last shared entry, the delegations carried over. */
  fork: { from: string; atSeq: number; carried: number } | null;
  instance: string;
  circle: string;
  registry: { summary: LogSummary; members: number; checkpoint: Checkpoint | null };
  log: LogSummary;
  checkpoint: Checkpoint;
  oldCheckpoint: Checkpoint | null;
  /** with --witness: the witnesses that cosigned the circle's checkpoint (and the registry's, if checked) */
  cosigners: { checkpoint: string[]; registryCheckpoint: string[] | null } | null;
  /** whether an instance's consistency proof was fetched and verified as well */
  consistencyProof: boolean;
  threads: number;
  seconds: number;
}

interface Plan {
  instance: InstanceIdentity;
  circle: string;
  log: string;
  registry: string;
  checkpoint: string;
  /** the circle checkpoint's note, when planning had to read it already (it is read once) */
  checkpointNote?: string;
  registryCheckpoint?: string;
  oldCheckpoint?: string;
  /** where the log of another circle of the instance is (a fork's original) */
  circleLog?: (circle: string) => string;
  /** instance mode: where to fetch a consistency proof from an old checkpoint's size */
  consistencyUrl?: (from: number, to: number) => string;
}

function joinUrl(base: string, path: string): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  return new URL(path.replace(/^\//, ''), root).href;
}

function noteKeyIdentity(noteKey: string): InstanceIdentity {
  try {
    return instanceFromNoteKey(noteKey);
  } catch (e) {
    throw new UsageError(`--key: ${(e as Error).message}`);
  }
}

async function planFromInstance(req: VerifyRequest): Promise<Plan> {
  const base = req.instance as string;
  const circle = req.circle as string;
  const wellKnown = (await readJson(joinUrl(base, '/.well-known/archipel.json'))) as Record<string, unknown> | null;
  if (typeof wellKnown !== 'object' || wellKnown === null || typeof wellKnown.noteKey !== 'string') {
    throw new InputError('/.well-known/archipel.json has no noteKey');
  }
  let instance: InstanceIdentity;
  try {
    instance = instanceFromNoteKey(wellKnown.noteKey);
  } catch (e) {
    throw new VerifyFailed('instance', 'BAD_KEY', `the published noteKey is invalid: ${(e as Error).message}`);
  }
  if (req.key !== undefined && req.key !== wellKnown.noteKey) {
    throw new VerifyFailed('instance', 'WRONG_KEY', `the instance publishes the note key ${wellKnown.noteKey}, not the one given with --key`);
  }
  // The JWK, kid and name it publishes must be the note key's, or system statements would verify under another key.
  const jwk = wellKnown.jwk;
  if (!isEd25519PublicJwk(jwk) || jwk.x !== instance.jwk.x || wellKnown.kid !== instance.kid || wellKnown.name !== instance.name) {
    throw new VerifyFailed('instance', 'WRONG_KEY', 'the published name, kid or jwk does not match the note key');
  }
  const c = encodeURIComponent(circle);
  // With witnesses, the newest checkpoint that meets the instance's own policy, cosignatures included.
  const cosigned = req.witness?.length ? '?cosigned=1' : '';
  return {
    instance,
    circle,
    log: joinUrl(base, `/api/v1/circles/${c}/log`),
    checkpoint: joinUrl(base, `/api/v1/circles/${c}/checkpoint${cosigned}`),
    registry: joinUrl(base, '/api/v1/registry/log'),
    registryCheckpoint: joinUrl(base, `/api/v1/registry/checkpoint${cosigned}`),
    oldCheckpoint: req.oldCheckpoint,
    consistencyUrl: (from, to) => joinUrl(base, `/api/v1/circles/${c}/proof/consistency?from=${from}&to=${to}`),
    circleLog: (other) => joinUrl(base, `/api/v1/circles/${encodeURIComponent(other)}/log`),
  };
}

async function planFromFiles(req: VerifyRequest): Promise<Plan> {
  const instance = noteKeyIdentity(req.key as string);
  let circle = req.circle;
  const checkpointNote = await readText(req.checkpoint as string);
  if (circle === undefined) {
    // The origin line names the circle; the signature over it is checked below, the genesis then pins it.
    const prefix = `${instance.name}/circles/`;
    const origin = checkpointNote.split('\n', 1)[0];
    if (!origin.startsWith(prefix)) {
      throw new VerifyFailed('checkpoint', 'WRONG_ORIGIN', `checkpoint origin ${JSON.stringify(origin)} is not a circle of ${instance.name}`);
    }
    circle = origin.slice(prefix.length);
  }
  return {
    instance,
    circle,
    log: req.log as string,
    registry: req.registry as string,
    checkpoint: req.checkpoint as string,
    checkpointNote,
    registryCheckpoint: req.registryCheckpoint,
    oldCheckpoint: req.oldCheckpoint,
    ...(req.forkOf ? { circleLog: () => req.forkOf as string } : {}),
  };
}

function checkRequest(req: VerifyRequest): void {
  const witnesses = req.witness?.length ?? 0;
  if (req.quorum !== undefined && witnesses === 0) throw new UsageError('--quorum needs the witnesses\' keys (--witness KEY…)');
  if (req.quorum !== undefined && req.quorum > witnesses) throw new UsageError(`--quorum ${req.quorum} is more than the ${witnesses} witness key(s) given`);
  if (witnesses > 0) {
    try {
      parseWitnessKeys(req.witness as string[]);
    } catch (e) {
      throw new UsageError(`--witness: ${(e as Error).message}`);
    }
  }
  const fileOptions = (['log', 'registry', 'checkpoint'] as const).filter((k) => req[k] !== undefined);
  if (req.instance !== undefined) {
    if (fileOptions.length > 0 || req.registryCheckpoint !== undefined) {
      throw new UsageError('--instance fetches the logs and checkpoints itself: do not combine it with --log, --registry, --checkpoint or --registry-checkpoint');
    }
    if (req.circle === undefined) throw new UsageError('--instance needs --circle');
    if (!isUrl(req.instance)) throw new UsageError('--instance must be an http(s) URL');
    return;
  }
  const missing = (['log', 'registry', 'checkpoint', 'key'] as const).filter((k) => req[k] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`either --instance URL --circle ID, or --log, --registry, --checkpoint and --key (missing: ${missing.map((m) => `--${m}`).join(', ')})`);
  }
}

/**
 * The whole verification behind `archipel verify`: registry log (and its
 * checkpoint if given), circle log, circle checkpoint, and an older
 * checkpoint if given. Throws VerifyFailed on a verdict, UsageError or
 * InputError when it cannot run.
 */
export async function runVerify(req: VerifyRequest): Promise<VerifyReport> {
  checkRequest(req);
  const started = process.hrtime.bigint();
  const plan = req.instance !== undefined ? await planFromInstance(req) : await planFromFiles(req);
  const { instance, circle } = plan;

  // Checkpoints first: the logs, read after, can only have grown. Each note is read once: its
  // signature, the log and the witnesses' quorum are all checked on that one text, so a source that
  // answers a forked checkpoint and then an honest cosigned one (a split view) cannot pass.
  const registryNote = plan.registryCheckpoint === undefined ? null : await readText(plan.registryCheckpoint);
  const checkpointNote = plan.checkpointNote ?? (await readText(plan.checkpoint));
  const registryCheckpoint = registryNote === null ? null : checkpointIn(registryNote, instance, REGISTRY, 'registry checkpoint');
  const checkpoint = checkpointIn(checkpointNote, instance, circle, 'checkpoint');
  const oldCheckpoint = plan.oldCheckpoint === undefined ? null : checkpointIn(await readText(plan.oldCheckpoint), instance, circle, 'old checkpoint');
  let cosigned: VerifyReport['cosigners'] = null;
  if (req.witness?.length) {
    const keys = parseWitnessKeys(req.witness);
    const quorum = req.quorum ?? keys.length;
    cosigned = {
      checkpoint: quorumIn(checkpointNote, keys, quorum, 'checkpoint'),
      registryCheckpoint: registryNote === null ? null : quorumIn(registryNote, keys, quorum, 'registry checkpoint'),
    };
  }

  // The registry: every key a circle log may use.
  const registrySource = await openSource(plan.registry);
  const registryVerifier = new LogVerifier({ circle: REGISTRY, rootsAt: registryCheckpoint ? [registryCheckpoint.size] : [] });
  let registrySummary: LogSummary;
  try {
    for await (const batch of lineBatches(registrySource.chunks, DEFAULT_BATCH_BYTES)) {
      for (const line of splitLines(batch)) registryVerifier.push(line);
    }
    registrySummary = registryVerifier.finish();
    if (registryCheckpoint !== null) {
      try {
        checkAgainstCheckpoint(registrySummary, registryCheckpoint);
      } catch (e) {
        throw failedFrom('registry checkpoint', e);
      }
    }
  } catch (e) {
    throw failedFrom('registry log', e);
  }
  const members = registryVerifier.memberKeys();
  // SPEC §11: every entry of every log is checked against the keys over time, and each statement
  // speaks for the member its key belongs to.
  const keyBook = registryVerifier.keyBook();
  const memberOf = (kid: string): string => keyBook.key(kid)?.member ?? kid;

  // A fork (SPEC §7): its genesis is checked against the original's log, whose carried
  // delegations the replay of this log needs. A genesis that does not even parse is left to the
  // checks of the circle log below, which report it at seq 0.
  const genesis = await firstStatement(plan.log).catch(() => null);
  let fork: ForkCheck | null = null;
  if (genesis?.payload.type === 'circle.forked') {
    if (!plan.circleLog) throw new VerifyFailed('fork', 'FORK_ORIGINAL_MISSING', `this circle is a fork of ${genesis.payload.body.from}: give its log with --fork-of`);
    fork = await checkFork(genesis.payload.body, plan.circleLog(genesis.payload.body.from), circle, instance, members, await registryMembers(plan.registry), req, keyBook);
  }

  // Governance (SPEC §5, §6): every statement decided again by the same rules, every tally and
  // regime change recomputed, in the same pass as the checks of the circle log (read once). A
  // failure of those checks comes first; the replay's own is reported only if they all pass.
  const replay = new LogReplay(circle, await registryMembers(plan.registry), fork ? { carried: fork.carried } : {});
  const decoder = new ReplayDecoder(memberOf);
  let replayFailure: unknown = null;
  const replayBatch = (batch: Uint8Array): void => {
    if (replayFailure !== null) return;
    try {
      for (const line of splitLines(batch)) replay.push(decoder.entry(line));
    } catch (e) {
      replayFailure = e instanceof ReplayFailure ? new VerifyFailed('circle log', e.code, e.message, e.seq) : e;
    }
  };

  // The circle log.
  const source = await openSource(plan.log);
  let read = 0;
  const onBytes = req.onProgress
    ? (n: number): void => {
        read += n;
        req.onProgress?.(read, source.size);
      }
    : undefined;
  let log: LogSummary;
  try {
    log = await verifyLogStream(source.chunks, {
      circle,
      members,
      keyBook,
      instance,
      rootsAt: [checkpoint.size, ...(oldCheckpoint ? [oldCheckpoint.size] : [])],
      threads: req.threads,
      batchBytes: req.batchBytes,
      workerFile: req.workerFile,
      onBytes,
      onBatch: replayBatch,
    });
  } catch (e) {
    throw failedFrom('circle log', e);
  }
  try {
    checkAgainstCheckpoint(log, checkpoint);
  } catch (e) {
    throw failedFrom('checkpoint', e);
  }

  let consistencyProof = false;
  if (oldCheckpoint !== null) {
    try {
      checkOlderCheckpoint(oldCheckpoint, checkpoint, log);
      if (plan.consistencyUrl) {
        const proof = (await readJson(plan.consistencyUrl(oldCheckpoint.size, checkpoint.size))) as { path?: unknown } | null;
        const path = proof?.path;
        if (!Array.isArray(path) || !path.every((h): h is string => typeof h === 'string')) {
          throw new CheckpointFailure('BAD_PROOF', 'the consistency proof has no path of strings');
        }
        checkConsistencyProof(oldCheckpoint, checkpoint, path);
        consistencyProof = true;
      }
    } catch (e) {
      throw failedFrom('old checkpoint', e);
    }
  }

  // Governance, after the formats: the first failure the replay met, if any.
  if (replayFailure !== null) throw replayFailure;

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    tallies: replay.tallies,
    regimeChanges: replay.regimeChanges,
    fork: fork ? { from: fork.from, atSeq: fork.atSeq, carried: fork.carried.length } : null,
    instance: instance.name,
    circle,
    registry: { summary: registrySummary, members: members.size, checkpoint: registryCheckpoint },
    log,
    checkpoint,
    oldCheckpoint,
    cosigners: cosigned,
    consistencyProof,
    threads: Math.max(1, req.threads),
    seconds,
  };
}

interface ParsedLine {
  seq: number;
  recordedAt: string;
  leaf: Uint8Array;
  jws: string;
  payload: ReturnType<typeof parseCompact>['payload'];
  signer: string;
  jwk?: ReturnType<typeof parseCompact>['header']['jwk'];
}

/** The statements of a log; `signer`: the member of the signing key (SPEC §11), by `memberOf`. */
async function* statements(spec: string, memberOf: (kid: string) => string = (kid) => kid): AsyncGenerator<ParsedLine> {
  const source = await openSource(spec);
  for await (const batch of lineBatches(source.chunks, DEFAULT_BATCH_BYTES)) {
    for (const bytes of splitLines(batch)) {
      const d = decodeEntryBytes(bytes);
      if (!d.ok) throw new VerifyFailed('circle log', 'MALFORMED_ENTRY', d.reason);
      const parsed = parseCompact(d.entry.jws);
      yield { seq: d.entry.seq, recordedAt: d.entry.recordedAt, leaf: d.leaf, jws: d.entry.jws, payload: parsed.payload, signer: memberOf(parsed.header.kid), jwk: parsed.header.jwk };
    }
  }
}

async function firstStatement(spec: string): Promise<ParsedLine | null> {
  for await (const line of statements(spec)) return line;
  return null;
}

interface ForkCheck {
  from: string;
  atSeq: number;
  carried: CarriedDelegation[];
}

/**
 * SPEC §7: the original's log (verified in full like any log) has, at `atSeq`, the tally that
 * decided the fork; the genesis's checkpoint is the original's signed checkpoint at atSeq + 1, and
 * the original's log today extends it (its root at that size is recomputed from the log itself:
 * consistency without trusting a proof); the original records the same leavers in `circle.split`;
 * each carried delegation is a `delegation.set` within the shared history between two leavers;
 * and, replaying the shared history (LogReplay), the carried ones are exactly the delegations in
 * force at `atSeq` between two leavers in the circle and topic scopes, in log order. (An original
 * that is itself a fork is not replayed here: its own carried delegations would be needed.)
 */
async function checkFork(
  body: { from: string; atSeq: number; atLeaf: string; checkpoint: string; members: string[]; delegations: string[]; cause: string },
  originalLog: string,
  circle: string,
  instance: InstanceIdentity,
  members: ReadonlyMap<string, unknown>,
  registry: MemberState[],
  req: VerifyRequest,
  keyBook: KeyView,
): Promise<ForkCheck> {
  const shared = body.atSeq + 1;
  let original: LogSummary;
  try {
    original = await verifyLogStream((await openSource(originalLog)).chunks, {
      circle: body.from,
      members: members as never,
      keyBook,
      instance,
      rootsAt: [shared],
      threads: req.threads,
      batchBytes: req.batchBytes,
      workerFile: req.workerFile,
    });
  } catch (e) {
    throw failedFrom("fork's original log", e);
  }
  const fail = (code: string, reason: string): never => {
    throw new VerifyFailed('fork', code, reason, 0);
  };
  let checkpoint: Checkpoint;
  try {
    checkpoint = verifyCheckpoint(body.checkpoint, instance.noteKey, originOf(instance.name, body.from));
  } catch (e) {
    throw failedFrom('fork checkpoint', e);
  }
  const root = original.roots.get(shared);
  if (checkpoint.size !== shared || !root || Buffer.compare(Buffer.from(root), Buffer.from(checkpoint.root)) !== 0) {
    fail('FORK_HISTORY', `the genesis's checkpoint (size ${checkpoint.size}) is not the original log's root at size ${shared}`);
  }
  const wanted = new Map(body.delegations.map((leaf) => [leaf, null as CarriedDelegation | null]));
  const leavers = new Set(body.members);
  let decided = false;
  let recorded = false;
  let replay: LogReplay | null = null;
  const delegationLeaves = new Map<number, string>();
  for await (const line of statements(originalLog, (kid) => keyBook.key(kid)?.member ?? kid)) {
    const leaf = Buffer.from(line.leaf).toString('base64url');
    if (line.seq === 0 && line.payload.type === 'circle.create') replay = new LogReplay(body.from, registry);
    if (replay && line.seq <= body.atSeq) {
      try {
        replay.push({ seq: line.seq, recordedAt: line.recordedAt, jws: line.jws, payload: line.payload, signer: line.signer, jwk: line.jwk });
      } catch (e) {
        if (!(e instanceof ReplayFailure)) throw e;
        fail('FORK_HISTORY', `the original's shared history does not replay: seq ${e.seq}: ${e.code} ${e.message}`);
      }
      if (line.payload.type === 'delegation.set') delegationLeaves.set(line.seq, leaf);
    }
    if (line.seq === body.atSeq) {
      const p = line.payload;
      decided = leaf === body.atLeaf && p.type === 'tally.result' && p.body.outcome === 'forked' && p.body.proposal === body.cause;
    }
    if (line.payload.type === 'circle.split' && line.payload.body.cause === body.cause) {
      const split = line.payload.body;
      recorded = split.newCircle === circle && split.members.length === leavers.size && split.members.every((m) => leavers.has(m));
    }
    if (wanted.has(leaf) && line.seq <= body.atSeq && line.payload.type === 'delegation.set') {
      const d = line.payload.body;
      if (leavers.has(line.signer) && leavers.has(d.to)) wanted.set(leaf, { leaf, member: line.signer, scope: scopeOf(d.scope), delegate: d.to });
    }
  }
  if (!decided) fail('FORK_CAUSE', `the original's entry ${body.atSeq} is not the forked tally of ${body.cause}`);
  if (!recorded) fail('FORK_SPLIT', "the original's log does not record this fork's members in circle.split");
  const carried = [...wanted.values()];
  if (carried.some((d) => d === null)) fail('FORK_DELEGATIONS', 'a carried delegation is not a delegation.set between two leavers in the shared history');
  const inForce = replay?.carriedDelegations(body.cause, body.members);
  if (inForce) {
    const expected = inForce.delegations.map((d) => delegationLeaves.get(d.seq));
    if (expected.length !== body.delegations.length || expected.some((leaf, i) => leaf !== body.delegations[i])) {
      fail(
        'FORK_DELEGATIONS',
        `the genesis carries ${body.delegations.length} delegation(s), but ${expected.length} between leavers were in force at seq ${body.atSeq} in the original's log (circle and topic scopes, in log order)`,
      );
    }
  }
  return { from: body.from, atSeq: body.atSeq, carried: carried as CarriedDelegation[] };
}

/** Registered members with their public keys, from the (already verified) registry log. */
async function registryMembers(spec: string): Promise<MemberState[]> {
  const members: MemberState[] = [];
  const source = await openSource(spec);
  for await (const batch of lineBatches(source.chunks, DEFAULT_BATCH_BYTES)) {
    for (const bytes of splitLines(batch)) {
      const d = decodeEntryBytes(bytes);
      if (!d.ok) continue;
      const parsed = parseCompact(d.entry.jws);
      if (parsed.payload.type === 'member.register' && parsed.header.jwk) {
        members.push({ id: parsed.header.kid, name: parsed.payload.body.name, jwk: parsed.header.jwk });
      }
    }
  }
  return members;
}

/** The witnesses among `keys` that cosigned `note`; VerifyFailed below the quorum. */
function quorumIn(note: string, keys: WitnessKey[], quorum: number, subject: string): string[] {
  try {
    return checkCosignatureQuorum(note, keys, quorum, Math.floor(Date.now() / 1000) + 300);
  } catch (e) {
    if (e instanceof QuorumFailure) throw new VerifyFailed(subject, e.code, e.reason);
    throw e;
  }
}

function checkpointIn(note: string, instance: InstanceIdentity, circle: string, subject: string): Checkpoint {
  try {
    return verifyCheckpoint(note, instance.noteKey, originOf(instance.name, circle));
  } catch (e) {
    throw failedFrom(subject, e);
  }
}

const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

function parseQuorum(value: string): number {
  const n = Number(value);
  if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('a non-negative integer');
  return n;
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('a positive integer');
  return n;
}

const fmtRoot = (root: Uint8Array): string => Buffer.from(root).toString('base64');
const fmtInt = (n: number): string => n.toLocaleString('en-US');

function report(r: VerifyReport): string {
  const lines: string[] = [];
  const reg = r.registry;
  lines.push(
    `OK registry: ${fmtInt(reg.summary.size)} entries (${fmtInt(reg.members)} members), root ${fmtRoot(reg.summary.root)}` +
      (reg.checkpoint ? `, checkpoint size ${fmtInt(reg.checkpoint.size)}` : ', no registry checkpoint given'),
  );
  const beyond = r.log.size - r.checkpoint.size;
  lines.push(
    `OK circle ${r.circle}: ${fmtInt(r.log.size)} entries, root ${fmtRoot(r.log.root)}, checkpoint size ${fmtInt(r.checkpoint.size)}` +
      (beyond > 0 ? ` (the log has ${fmtInt(beyond)} later entries the checkpoint does not cover)` : ''),
    ...(r.fork
      ? [`OK fork of ${r.fork.from}: shared history up to seq ${r.fork.atSeq} matches the original's log and signed checkpoint; ${r.fork.carried} delegation(s) carried`]
      : []),
    `OK governance: every statement follows the rules; ${fmtInt(r.tallies)} tally result${r.tallies === 1 ? '' : 's'} recomputed and equal` +
      (r.regimeChanges ? `; ${fmtInt(r.regimeChanges)} regime change${r.regimeChanges === 1 ? '' : 's'} recomputed and equal` : ''),
  );
  if (r.cosigners) {
    lines.push(
      `OK cosigned by ${r.cosigners.checkpoint.length} witness(es): ${r.cosigners.checkpoint.join(', ') || 'none needed'}` +
        (r.cosigners.registryCheckpoint ? `; registry checkpoint by ${r.cosigners.registryCheckpoint.join(', ') || 'none needed'}` : ''),
    );
  }
  if (r.oldCheckpoint) {
    lines.push(
      `OK older checkpoint size ${fmtInt(r.oldCheckpoint.size)} is a prefix of the log` +
        (r.consistencyProof ? ', and the instance\'s consistency proof verifies' : ''),
    );
  }
  const rate = r.seconds > 0 ? Math.round(r.log.size / r.seconds) : 0;
  lines.push(`verified in ${r.seconds.toFixed(2)} s with ${r.threads} thread${r.threads === 1 ? '' : 's'} (${fmtInt(rate)} entries/s)`);
  return `${lines.join('\n')}\n`;
}

const HELP_AFTER = `
Either verify files (or URLs) you already have:
  archipel verify --log circle.jsonl --registry registry.jsonl \\
    --checkpoint checkpoint.txt --key 'name+1a2b3c4d+AQ…'
or fetch everything from an instance:
  archipel verify --instance https://archipel.example --circle <id>

The instance key of system statements is the note key's Ed25519 key (its kid
is the RFC 7638 thumbprint); in instance mode the note key comes from
/.well-known/archipel.json, and --key, if given, must match it.

With witnesses, the checkpoints must carry enough valid cosignatures
(C2SP cosignature/v1); in instance mode the cosigned checkpoint is fetched:
  archipel verify --instance https://archipel.example --circle <id> \\
    --witness 'a.example/witness+1a2b3c4d+BA…' 'b.example/witness+…' --quorum 2

Exit status: 0 verified, 1 verification failed (FAIL seq <n>: <reason> on
stderr), 2 usage error, 3 an input could not be read.
`;


export function verifyCommand(ctx: CliContext): Command {
  return new Command('verify')
    .description("Verify a circle's log and the instance registry: entries, chain, signatures, Merkle roots and checkpoints.")
    .option('--log <file|url>', 'the circle log, JSON Lines')
    .option('--registry <file|url>', 'the instance registry log, JSON Lines')
    .option('--checkpoint <file|url>', "the instance's signed checkpoint (signed note) of the circle log")
    .option('--key <notekey>', "the instance's signed-note verifier key, name+keyid+base64 (file mode: required)")
    .option('--registry-checkpoint <file|url>', 'a signed checkpoint of the registry log, to check it too')
    .option('--old-checkpoint <file|url>', 'an earlier checkpoint of the circle: it must be a prefix of the log')
    .option('--instance <url>', 'fetch the logs, checkpoints and key from this instance')
    .option('--circle <id>', 'the circle id (instance mode: required; file mode: taken from the checkpoint)')
    .option('--witness <vkey...>', "witnesses' cosignature/v1 verifier keys (name+keyid+base64); the checkpoints must be cosigned (instance mode asks for ?cosigned=1)")
    .addOption(new Option('--quorum <k>', 'how many of the --witness keys must have cosigned (default: all)').argParser(parseQuorum))
    .option('--fork-of <file|url>', "file mode, for a circle born of a fork: the original circle's log (instance mode fetches it)")
    .addOption(
      new Option('--threads <n>', 'worker threads that check signatures (1: none)')
        .argParser(parseThreads)
        .default(availableParallelism(), 'available parallelism'),
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: VerifyRequest, cmd: Command) => {
      const io = ctx.io;
      let bar: SingleBar | null = null;
      const req: VerifyRequest = { ...opts, workerFile: io.workerFile };
      if (io.stderr.isTTY) {
        req.onProgress = (read, total) => {
          if (total === undefined || total < PROGRESS_MIN_BYTES) return;
          if (bar === null) {
            bar = new SingleBar({
              stream: io.stderr as NodeJS.WriteStream,
              format: 'verifying {bar} {percentage}% | {value}/{total} MiB | eta {eta}s',
              hideCursor: true,
            });
            bar.start(Math.ceil(total / 2 ** 20), 0);
          }
          bar.update(Math.floor(read / 2 ** 20));
        };
      }
      try {
        const result = await runVerify(req);
        (bar as SingleBar | null)?.stop();
        ctx.print(cmd, reportJson(result), report(result));
      } finally {
        (bar as SingleBar | null)?.stop();
      }
    });
}

function reportJson(r: VerifyReport): unknown {
  const b64 = (x: Uint8Array): string => Buffer.from(x).toString('base64');
  return {
    ok: true,
    instance: r.instance,
    circle: r.circle,
    registry: { size: r.registry.summary.size, members: r.registry.members, root: b64(r.registry.summary.root) },
    log: { size: r.log.size, root: b64(r.log.root) },
    checkpoint: { size: r.checkpoint.size },
    tallies: r.tallies,
    regimeChanges: r.regimeChanges,
    fork: r.fork,
    seconds: r.seconds,
  };
}
