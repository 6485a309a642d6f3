// "Verified in your browser": the circle's log checked by the same core code as `archipel verify`
// (src/core/verify/): every entry's format, chain and signature (registry keys, instance key from
// /.well-known/archipel.json), the log's Merkle root against a checkpoint signed by the instance,
// and every tally and regime change recomputed by the replay. Nothing here re-implements a rule:
// it only feeds the server's answers to the core and reports what it says.
import { LogVerifier, keyLookup, instanceFromNoteKey, verifyCheckpoint, originOf, checkAgainstCheckpoint, checkConsistencyProof, REGISTRY, type LogSummary } from '../../core/verify/verify-log';
import type { Checkpoint } from '../../core/formats/signed-note';
import { LogReplay, ReplayDecoder } from '../../core/verify/replay';
import { parseCompact } from '../../core/formats/statement';
import { decodeEntryLine } from '../../core/formats/entry';
import type { MemberState } from '../../core/rules/state';
import type { Api } from './api';
import { confirmSignatures, forgetConfirmed } from './native-crypto';

export interface AuditedEntry {
  seq: number;
  type: string;
  signer: string;
  recordedAt: string;
  system: boolean;
}

export interface AuditReport {
  ok: boolean;
  /** what failed, for a failure */
  failure?: { stage: 'instance' | 'checkpoint' | 'registry' | 'log' | 'replay'; seq?: number; code: string; reason: string };
  instance: string;
  size: number;
  /**
   * Entries below this seq are in a tree whose root a checkpoint signed by the instance commits to;
   * those from it on are signed by their members but no signed checkpoint covers them yet.
   */
  covered: number;
  tallies: number;
  regimeChanges: number;
  /** a fork's replay needs its original's carried delegations: then only the formats are checked */
  replayed: boolean;
  entries: AuditedEntry[];
}

/** Entries checked so far: of the member registry first, then of the circle's log (of `total`, its checkpoint's size at least). */
export type Progress = (done: number, total: number, stage: 'registry' | 'log') => void;

/** The longest the page's main thread works between two yields (progress painted, input handled). */
const SLICE_MS = 40;
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/** Calls `onYield` and lets the page breathe whenever `SLICE_MS` have passed since the last time. */
function slicer(onYield: () => void): () => Promise<void> | null {
  let last = performance.now();
  return () => {
    if (performance.now() - last < SLICE_MS) return null;
    onYield();
    return tick().then(() => {
      last = performance.now();
    });
  };
}

export async function auditCircle(api: Api, circle: string, onProgress: Progress = () => undefined): Promise<AuditReport> {
  try {
    return await audit(api, circle, onProgress);
  } finally {
    forgetConfirmed();
  }
}

async function audit(api: Api, circle: string, onProgress: Progress): Promise<AuditReport> {
  const report: AuditReport = { ok: false, instance: '', size: 0, covered: 0, tallies: 0, regimeChanges: 0, replayed: false, entries: [] };
  const fail = (stage: NonNullable<AuditReport['failure']>['stage'], e: unknown, seq?: number): AuditReport => {
    const x = e as { code?: string; reason?: string; message?: string; seq?: number };
    report.failure = { stage, seq: x.seq ?? seq, code: x.code ?? 'FAILED', reason: x.reason ?? x.message ?? String(e) };
    return report;
  };

  // The instance: its key as published, named by its verifier key.
  const wk = await api.wellKnown();
  let instance;
  try {
    instance = instanceFromNoteKey(wk.noteKey);
    if (instance.kid !== wk.kid) throw { code: 'KID_MISMATCH', reason: 'the well-known kid is not the thumbprint of the note key' };
  } catch (e) {
    return fail('instance', e);
  }
  report.instance = instance.name;

  // The checkpoint first: the log, read after, can only have grown.
  let checkpoint;
  try {
    checkpoint = verifyCheckpoint(await api.checkpoint(circle), instance.noteKey, originOf(instance.name, circle));
  } catch (e) {
    return fail('checkpoint', e);
  }

  // The registry: every member key, streamed; signatures checked by WebCrypto batch by batch ahead
  // of the core's checks (lib/native-crypto.ts).
  const registry = new LogVerifier({ circle: REGISTRY });
  const members: MemberState[] = [];
  let registered = 0;
  const registryPause = slicer(() => onProgress(registered, 0, 'registry'));
  try {
    // The keys accepted so far, copied again only when a batch names one not in the copy.
    let known = registry.memberKeys();
    const keyOf = (kid: string) => known.get(kid) ?? (known = registry.memberKeys()).get(kid);
    for await (const batch of api.registryLogLines()) {
      await confirmSignatures(batch, keyOf);
      for (const line of batch) {
        registry.push(line);
        registered++;
        const d = decodeEntryLine(line);
        if (d.ok) {
          const parsed = parseCompact(d.entry.jws);
          if (parsed.payload.type === 'member.register' && parsed.header.jwk) members.push({ id: parsed.header.kid, name: parsed.payload.body.name, jwk: parsed.header.jwk });
        }
        await registryPause();
      }
    }
    registry.finish();
  } catch (e) {
    return fail('registry', e);
  }

  // SPEC §11: every entry is checked against the keys over time, and speaks for the member its key belongs to.
  const keyBook = registry.keyBook();
  const keys = keyLookup(registry.memberKeys(), instance);
  const verifier = new LogVerifier({ circle, keys, instanceKid: instance.kid, rootsAt: [checkpoint.size], keyBook });
  const decoder = new ReplayDecoder((kid) => keyBook.key(kid)?.member ?? kid);
  const encoder = new TextEncoder();
  let replay: LogReplay | null = null;
  let i = 0;
  const logPause = slicer(() => onProgress(i, Math.max(checkpoint.size, i), 'log'));
  for await (const batch of api.logLines(circle)) {
    await confirmSignatures(batch, keys);
    for (const line of batch) {
      try {
        verifier.push(line);
      } catch (e) {
        return fail('log', e, i);
      }
      const entry = decoder.entry(encoder.encode(line));
      if (i === 0) {
        report.replayed = entry.payload.type !== 'circle.forked';
        if (report.replayed) replay = new LogReplay(circle, members);
      }
      report.entries.push({ seq: entry.seq, type: entry.payload.type, signer: entry.signer, recordedAt: entry.recordedAt, system: entry.signer === instance.kid });
      try {
        replay?.push(entry);
      } catch (e) {
        return fail('replay', e, i);
      }
      i++;
      await logPause();
    }
  }
  onProgress(i, Math.max(checkpoint.size, i), 'log');
  try {
    const summary = verifier.finish();
    checkAgainstCheckpoint(summary, checkpoint);
    report.size = summary.size;
    report.covered = checkpoint.size;
    // The log grew after the first checkpoint: the entries past it are covered only by a newer one.
    if (summary.size > checkpoint.size) report.covered = await newerCoverage(api, circle, instance.noteKey, checkpoint, summary);
  } catch (e) {
    return fail('checkpoint', e);
  }
  report.tallies = replay?.tallies ?? 0;
  report.regimeChanges = replay?.regimeChanges ?? 0;
  report.ok = true;
  return report;
}

/**
 * How many of the verified log's entries a checkpoint fetched after it covers: the checkpoint is
 * opened with the instance key like the first, must not be older than it, and its root must be the
 * log's at its size (an RFC 6962 consistency proof from the server joins its tree and the one the
 * page computed, whichever is larger). A checkpoint that has not caught up covers what it covers;
 * the rest stays "signed, not yet covered". Throws a failure when the answers do not add up.
 */
async function newerCoverage(api: Api, circle: string, noteKey: string, first: Checkpoint, summary: LogSummary): Promise<number> {
  const newer = verifyCheckpoint(await api.checkpoint(circle), noteKey, first.origin);
  if (newer.size < first.size) {
    throw { code: 'INCONSISTENT', reason: `the newer checkpoint covers ${newer.size} entries, the one before ${first.size}: the log shrank` };
  }
  if (newer.size === first.size) {
    checkAgainstCheckpoint(summary, newer);
    return newer.size;
  }
  if (newer.size === summary.size) {
    checkAgainstCheckpoint(summary, newer);
    return summary.size;
  }
  const ours: Checkpoint = { origin: first.origin, size: summary.size, root: summary.root };
  if (newer.size > summary.size) {
    checkConsistencyProof(ours, newer, (await api.consistency(circle, summary.size, newer.size)).path);
    return summary.size;
  }
  checkConsistencyProof(newer, ours, (await api.consistency(circle, newer.size, summary.size)).path);
  return newer.size;
}
