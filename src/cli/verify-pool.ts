// Verifying one log on worker threads: the stateless half of each entry's
// checks (format, signature, leaf hash) runs on a pool of threads, batch by
// batch; the ordered half (chain, Merkle roots) runs here, in log order, so the
// verdict is that of the single-threaded verifier (src/core/verify/verify-log.ts).
//
// This module is also the worker threads' script: loaded in a worker with its
// init data, it starts inspecting.
import '../platform/node';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { cryptoProvider, type PublicKeyHandle, toBase64url } from '../core/crypto/crypto';
import { publicKeyFromJwk } from '../core/formats/keys';
import type { KeyView } from '../core/rules/key-rules';
import { BatchInspector, InspectContext, InspectedBatch, InstanceIdentity, keyLookup, LogSummary, LogVerifier } from '../core/verify/verify-log';
import { counted, lineBatches, splitLines } from './sources';

export const DEFAULT_BATCH_BYTES = 1 << 20;
const VERIFY_WORKER = 'archipel-verify-worker';

export interface VerifyLogOptions {
  circle: string;
  /** registered members (for a circle log) */
  members: ReadonlyMap<string, PublicKeyHandle>;
  /** SPEC §11: the registry's keys over time; every member statement is checked against it */
  keyBook?: KeyView;
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
  const verifier = new LogVerifier({ circle: options.circle, keys, instanceKid: options.instance.kid, rootsAt: options.rootsAt, keyBook: options.keyBook });
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

if (!isMainThread && (workerData as WorkerInit | null)?.kind === VERIFY_WORKER) {
  runVerifyWorker(workerData as WorkerInit);
}
