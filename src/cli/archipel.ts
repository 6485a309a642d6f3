// The `archipel` command line. `archipel verify` is the offline verifier
// (SPEC §3.5, §3.6, §3.8): it checks a circle's log and the instance registry
// entry by entry — format, chain, signatures — and against the instance's
// signed checkpoints, trusting nothing but the instance's note key.
//
// The rules are those of src/core/verify/verify-log.ts; this file only reads
// (files, URLs), spreads the stateless half of each entry's checks over worker
// threads, and prints. Logs are read as bytes, never as one string: a leaf
// hash covers the exact bytes of its line.
import '../platform/node';
import { createReadStream, promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Dispatcher } from 'undici';
import { cryptoProvider, type PublicKeyHandle, toBase64url } from '../core/crypto/crypto';
import { isEd25519PublicJwk, publicKeyFromJwk } from '../core/formats/keys';
import {
  BatchInspector,
  Checkpoint,
  CheckpointFailure,
  checkAgainstCheckpoint,
  checkConsistencyProof,
  checkOlderCheckpoint,
  InspectContext,
  InspectedBatch,
  instanceFromNoteKey,
  InstanceIdentity,
  keyLookup,
  LogSummary,
  LogVerifier,
  originOf,
  REGISTRY,
  VerificationFailure,
  verifyCheckpoint,
} from '../core/verify/verify-log';
import { parseCompact } from '../core/formats/statement';
import { decodeEntryBytes } from '../core/formats/entry';
import { LogReplay, ReplayDecoder, ReplayFailure } from '../core/verify/replay';
import { scopeOf } from '../core/rules/state';
import type { CarriedDelegation, MemberState } from '../core/rules/state';

// ---------------------------------------------------------------- exit codes and errors

export const EXIT = {
  /** everything verified */
  OK: 0,
  /** a log or a checkpoint failed verification */
  FAILED: 1,
  /** bad command line */
  USAGE: 2,
  /** an input could not be read (missing file, HTTP error) */
  UNREADABLE: 3,
} as const;

/** A bad command line (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An input that could not be read or is not what its path promises (exit 3). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** A verdict against one of the logs or checkpoints (exit 1). */
export class VerifyFailed extends Error {
  override readonly name = 'VerifyFailed';

  constructor(
    /** what failed: 'circle log', 'registry log', 'checkpoint', 'registry checkpoint', 'instance' */
    readonly subject: string,
    readonly code: string,
    readonly reason: string,
    /** the entry's position, for a log failure */
    readonly seq: number | null = null,
  ) {
    super(seq === null ? `${subject}: ${reason}` : `seq ${seq}: ${reason}`);
  }
}

function failedFrom(subject: string, e: unknown): unknown {
  if (e instanceof VerificationFailure) return new VerifyFailed(subject, e.code, e.reason, e.seq);
  if (e instanceof CheckpointFailure) return new VerifyFailed(subject, e.code, e.reason);
  return e;
}

// ---------------------------------------------------------------- inputs

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** A log or a note: a file path or an http(s) URL, read as a stream of bytes. */
export interface ByteSource {
  chunks: AsyncIterable<Uint8Array>;
  /** total bytes, when known (file size, Content-Length) */
  size: number | undefined;
}

let redirecting: Dispatcher | undefined;

async function httpGet(url: string): Promise<{ body: AsyncIterable<Uint8Array> & { text(): Promise<string> }; size: number | undefined }> {
  // Loaded on first use: worker threads, which load this module too, never fetch.
  const { getGlobalDispatcher, interceptors, request } = await import('undici');
  let res: Dispatcher.ResponseData;
  try {
    redirecting ??= getGlobalDispatcher().compose(interceptors.redirect({ maxRedirections: 5 }));
    res = await request(url, { method: 'GET', dispatcher: redirecting, headersTimeout: 60_000, bodyTimeout: 300_000 });
  } catch (e) {
    throw new InputError(`cannot fetch ${url}: ${(e as Error).message}`);
  }
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    throw new InputError(`cannot fetch ${url}: HTTP ${res.statusCode}`);
  }
  const length = Number(res.headers['content-length']);
  return { body: res.body, size: Number.isSafeInteger(length) ? length : undefined };
}

async function openSource(spec: string): Promise<ByteSource> {
  if (isUrl(spec)) {
    const { body, size } = await httpGet(spec);
    return { chunks: body, size };
  }
  let size: number;
  try {
    const stat = await fs.stat(spec);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch (e) {
    throw new InputError(`cannot read ${spec}: ${(e as Error).message}`);
  }
  return { chunks: createReadStream(spec, { highWaterMark: 1 << 20 }), size };
}

async function readText(spec: string): Promise<string> {
  if (isUrl(spec)) return (await httpGet(spec)).body.text();
  try {
    return await fs.readFile(spec, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${spec}: ${(e as Error).message}`);
  }
}

async function readJson(spec: string): Promise<unknown> {
  const text = await readText(spec);
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${spec} is not JSON`);
  }
}

const NEWLINE = 0x0a;

function concat(parts: Uint8Array[], length: number): Uint8Array {
  // Always a fresh buffer of its own, so it can be transferred to a worker.
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Regroups a byte stream into batches of whole lines of about `targetBytes`
 * (a line is never cut; the last batch may lack a final newline). Each batch
 * owns its ArrayBuffer.
 */
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, targetBytes: number): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    let rest = chunk;
    while (rest.length > 0) {
      const from = Math.max(0, targetBytes - length - 1);
      const nl = from < rest.length ? rest.indexOf(NEWLINE, from) : -1;
      if (nl < 0) {
        parts.push(rest);
        length += rest.length;
        break;
      }
      parts.push(rest.subarray(0, nl + 1));
      length += nl + 1;
      yield concat(parts, length);
      parts = [];
      length = 0;
      rest = rest.subarray(nl + 1);
    }
  }
  if (length > 0) yield concat(parts, length);
}

/** The lines of a batch, without their newlines; nothing after a final newline. */
export function splitLines(batch: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  while (start < batch.length) {
    let nl = batch.indexOf(NEWLINE, start);
    if (nl < 0) nl = batch.length;
    lines.push(batch.subarray(start, nl));
    start = nl + 1;
  }
  return lines;
}

async function* counted(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    yield chunk;
  }
}

// ---------------------------------------------------------------- verifying a log, on worker threads

export const DEFAULT_BATCH_BYTES = 1 << 20;
const VERIFY_WORKER = 'archipel-verify-worker';

export interface VerifyLogOptions {
  circle: string;
  /** registered members (for a circle log) */
  members: ReadonlyMap<string, PublicKeyHandle>;
  instance: Pick<InstanceIdentity, 'kid' | 'key'>;
  rootsAt?: number[];
  /** 1: everything on this thread (the reference path); more: that many worker threads */
  threads: number;
  batchBytes?: number;
  /** the script workers run: this module, compiled (tests point it at a loader) */
  workerFile?: string;
  onBytes?: (n: number) => void;
  /**
   * Each batch of whole lines, in log order, on this thread, while workers check the lines (the
   * governance replay rides along in the same pass, so the log is read once).
   */
  onBatch?: (batch: Uint8Array) => void;
}

interface WorkerInit {
  kind: typeof VERIFY_WORKER;
  circle: string;
  instanceKid: string;
  /** kid → the JWK `x` of every key the log may use */
  keys: [string, string][];
}

interface WorkerRequest {
  batch: number;
  bytes: Uint8Array;
}

interface WorkerReply {
  batch: number;
  inspected: InspectedBatch;
}

/**
 * Verifies one log from a byte stream and returns its summary; throws a
 * VerificationFailure at the first failing entry. With threads > 1 the lines
 * are inspected on worker threads, batch by batch, and the ordered checks run
 * here in log order: the verdict is that of the single-threaded verifier.
 */
export async function verifyLogStream(chunks: AsyncIterable<Uint8Array>, options: VerifyLogOptions): Promise<LogSummary> {
  const keys = keyLookup(options.members, options.instance);
  const verifier = new LogVerifier({ circle: options.circle, keys, instanceKid: options.instance.kid, rootsAt: options.rootsAt });
  const source = options.onBytes ? counted(chunks, options.onBytes) : chunks;
  const batches = lineBatches(source, options.batchBytes ?? DEFAULT_BATCH_BYTES);
  if (options.threads <= 1) {
    for await (const batch of batches) {
      for (const line of splitLines(batch)) verifier.push(line);
      options.onBatch?.(batch);
    }
  } else {
    await inspectOnWorkers(batches, verifier, options);
  }
  return verifier.finish();
}

function keyTable(options: VerifyLogOptions): [string, string][] {
  const table: [string, string][] = [[options.instance.kid, exportX(options.instance.key)]];
  for (const [kid, key] of options.members) table.push([kid, exportX(key)]);
  return table;
}

function exportX(key: PublicKeyHandle): string {
  return toBase64url(cryptoProvider().exportPublicKey(key));
}

async function inspectOnWorkers(batches: AsyncIterable<Uint8Array>, verifier: LogVerifier, options: VerifyLogOptions): Promise<void> {
  const init: WorkerInit = { kind: VERIFY_WORKER, circle: options.circle, instanceKid: options.instance.kid, keys: keyTable(options) };
  const workers = Array.from({ length: options.threads }, () => new Worker(options.workerFile ?? __filename, { workerData: init }));
  const maxInFlight = options.threads * 4;
  const inFlight = workers.map(() => 0);
  const ready = new Map<number, WorkerReply>();
  let sent = 0;
  let accepted = 0;
  let error: unknown = null;
  let wake: (() => void) | null = null;
  const signal = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForProgress = (): Promise<void> => new Promise((resolve) => (wake = resolve));

  // The ordered half, in log order, as replies arrive in any order.
  const kids = init.keys.map(([kid]) => kid);
  const drain = (): void => {
    for (let reply = ready.get(accepted); reply !== undefined; reply = ready.get(accepted)) {
      ready.delete(accepted);
      accepted++;
      verifier.acceptBatch(reply.inspected, kids);
    }
  };

  workers.forEach((worker, w) => {
    worker.on('message', (reply: WorkerReply) => {
      inFlight[w]--;
      ready.set(reply.batch, reply);
      try {
        drain();
      } catch (e) {
        error ??= e;
      }
      signal();
    });
    worker.on('error', (e) => {
      error ??= e;
      signal();
    });
    worker.on('exit', (code) => {
      if (code !== 0) error ??= new Error(`verification worker exited with code ${code}`);
      signal();
    });
  });

  try {
    for await (const bytes of batches) {
      while (error === null && sent - accepted >= maxInFlight) await waitForProgress();
      if (error !== null) break;
      let w = 0;
      for (let i = 1; i < workers.length; i++) if (inFlight[i] < inFlight[w]) w = i;
      inFlight[w]++;
      // The worker owns what it is sent; this thread keeps the batch for onBatch.
      const owned = options.onBatch ? bytes.slice() : bytes;
      const request: WorkerRequest = { batch: sent++, bytes: owned };
      workers[w].postMessage(request, [owned.buffer as ArrayBuffer]);
      options.onBatch?.(bytes);
    }
    while (error === null && accepted < sent) await waitForProgress();
    if (error !== null) throw error;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function runVerifyWorker(init: WorkerInit): void {
  const keys = new Map(init.keys.map(([kid, x]) => [kid, publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x })]));
  const ctx: InspectContext = { circle: init.circle, instanceKid: init.instanceKid, keys: (kid) => keys.get(kid) };
  const inspector = new BatchInspector(ctx, init.keys.map(([kid]) => kid));
  const port = parentPort;
  if (port === null) throw new Error('not a worker thread');
  port.on('message', ({ batch, bytes }: WorkerRequest) => {
    const inspected = inspector.inspect(bytes);
    const reply: WorkerReply = { batch, inspected };
    const { leaves, prevs, info, meta } = inspected;
    port.postMessage(reply, [leaves.buffer, prevs.buffer, info.buffer, meta.buffer] as ArrayBuffer[]);
  });
}

// ---------------------------------------------------------------- `archipel verify`

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
  return {
    instance,
    circle,
    log: joinUrl(base, `/api/v1/circles/${c}/log`),
    checkpoint: joinUrl(base, `/api/v1/circles/${c}/checkpoint`),
    registry: joinUrl(base, '/api/v1/registry/log'),
    registryCheckpoint: joinUrl(base, '/api/v1/registry/checkpoint'),
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
    registryCheckpoint: req.registryCheckpoint,
    oldCheckpoint: req.oldCheckpoint,
    ...(req.forkOf ? { circleLog: () => req.forkOf as string } : {}),
  };
}

function checkRequest(req: VerifyRequest): void {
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

  // Checkpoints first: the logs, read after, can only have grown.
  const registryCheckpoint =
    plan.registryCheckpoint === undefined
      ? null
      : await checkpointAt(plan.registryCheckpoint, instance, REGISTRY, 'registry checkpoint');
  const checkpoint = await checkpointAt(plan.checkpoint, instance, circle, 'checkpoint');
  const oldCheckpoint = plan.oldCheckpoint === undefined ? null : await checkpointAt(plan.oldCheckpoint, instance, circle, 'old checkpoint');

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

  // A fork (SPEC §7): its genesis is checked against the original's log, whose carried
  // delegations the replay of this log needs. A genesis that does not even parse is left to the
  // checks of the circle log below, which report it at seq 0.
  const genesis = await firstStatement(plan.log).catch(() => null);
  let fork: ForkCheck | null = null;
  if (genesis?.payload.type === 'circle.forked') {
    if (!plan.circleLog) throw new VerifyFailed('fork', 'FORK_ORIGINAL_MISSING', `this circle is a fork of ${genesis.payload.body.from}: give its log with --fork-of`);
    fork = await checkFork(genesis.payload.body, plan.circleLog(genesis.payload.body.from), circle, instance, members, await registryMembers(plan.registry), req);
  }

  // Governance (SPEC §5, §6): every statement decided again by the same rules, every tally and
  // regime change recomputed, in the same pass as the checks of the circle log (read once). A
  // failure of those checks comes first; the replay's own is reported only if they all pass.
  const replay = new LogReplay(circle, await registryMembers(plan.registry), fork ? { carried: fork.carried } : {});
  const decoder = new ReplayDecoder();
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

async function* statements(spec: string): AsyncGenerator<ParsedLine> {
  const source = await openSource(spec);
  for await (const batch of lineBatches(source.chunks, DEFAULT_BATCH_BYTES)) {
    for (const bytes of splitLines(batch)) {
      const d = decodeEntryBytes(bytes);
      if (!d.ok) throw new VerifyFailed('circle log', 'MALFORMED_ENTRY', d.reason);
      const parsed = parseCompact(d.entry.jws);
      yield { seq: d.entry.seq, recordedAt: d.entry.recordedAt, leaf: d.leaf, jws: d.entry.jws, payload: parsed.payload, signer: parsed.header.kid, jwk: parsed.header.jwk };
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
): Promise<ForkCheck> {
  const shared = body.atSeq + 1;
  let original: LogSummary;
  try {
    original = await verifyLogStream((await openSource(originalLog)).chunks, {
      circle: body.from,
      members: members as never,
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
  for await (const line of statements(originalLog)) {
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

async function checkpointAt(spec: string, instance: InstanceIdentity, circle: string, subject: string): Promise<Checkpoint> {
  const note = await readText(spec);
  try {
    return verifyCheckpoint(note, instance.noteKey, originOf(instance.name, circle));
  } catch (e) {
    throw failedFrom(subject, e);
  }
}

// ---------------------------------------------------------------- the command line

export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** the script worker threads run (tests point it at a TypeScript loader) */
  workerFile?: string;
}

const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

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

function failureLine(f: VerifyFailed): string {
  if (f.seq !== null) {
    const where = f.subject === 'registry log' ? 'registry log: ' : '';
    return `FAIL seq ${f.seq}: ${where}${f.reason} [${f.code}]\n`;
  }
  return `FAIL ${f.subject}: ${f.reason} [${f.code}]\n`;
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

Exit status: 0 verified, 1 verification failed (FAIL seq <n>: <reason> on
stderr), 2 usage error, 3 an input could not be read.
`;

function buildProgram(io: CliIo, run: (req: VerifyRequest) => Promise<void>): Command {
  const program = new Command('archipel')
    .description('Archipel command line: verify the signed logs of an instance offline.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run archipel verify --help for usage)');
  program
    .command('verify')
    .description("Verify a circle's log and the instance registry: entries, chain, signatures, Merkle roots and checkpoints.")
    .option('--log <file|url>', 'the circle log, JSON Lines')
    .option('--registry <file|url>', 'the instance registry log, JSON Lines')
    .option('--checkpoint <file|url>', "the instance's signed checkpoint (signed note) of the circle log")
    .option('--key <notekey>', "the instance's signed-note verifier key, name+keyid+base64 (file mode: required)")
    .option('--registry-checkpoint <file|url>', 'a signed checkpoint of the registry log, to check it too')
    .option('--old-checkpoint <file|url>', 'an earlier checkpoint of the circle: it must be a prefix of the log')
    .option('--instance <url>', 'fetch the logs, checkpoints and key from this instance')
    .option('--circle <id>', 'the circle id (instance mode: required; file mode: taken from the checkpoint)')
    .option('--fork-of <file|url>', "file mode, for a circle born of a fork: the original circle's log (instance mode fetches it)")
    .addOption(
      new Option('--threads <n>', 'worker threads that check signatures (1: none)')
        .argParser(parseThreads)
        .default(availableParallelism(), 'available parallelism'),
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: VerifyRequest) => run(opts));
  return program;
}

/** `archipel …` with `argv` the arguments after the program name; resolves to the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let bar: SingleBar | null = null;
  const run = async (opts: VerifyRequest): Promise<void> => {
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
    const result = await runVerify(req);
    (bar as SingleBar | null)?.stop();
    io.stdout.write(report(result));
  };
  try {
    await buildProgram(io, run).parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (e) {
    (bar as SingleBar | null)?.stop();
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof VerifyFailed) {
      io.stderr.write(failureLine(e));
      return EXIT.FAILED;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`error: ${e.message}\n(run archipel verify --help for usage)\n`);
      return EXIT.USAGE;
    }
    if (e instanceof InputError) {
      io.stderr.write(`error: ${e.message}\n`);
      return EXIT.UNREADABLE;
    }
    throw e;
  }
}

/** The process entry: `bin/archipel.js` and `node dist/cli/archipel.js`. */
export function main(): void {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`archipel: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}

if (!isMainThread && (workerData as WorkerInit | null)?.kind === VERIFY_WORKER) {
  runVerifyWorker(workerData as WorkerInit);
} else if (isMainThread && require.main === module) {
  main();
}
