// "Verified in your browser": the circle's log checked by the same core code as `archipel verify`
// (src/core/verify/): every entry's format, chain and signature (registry keys, instance key from
// /.well-known/archipel.json), the log's Merkle root against a checkpoint signed by the instance,
// and every tally and regime change recomputed by the replay. Nothing here re-implements a rule:
// it only feeds the server's answers to the core and reports what it says.
import { LogVerifier, keyLookup, instanceFromNoteKey, verifyCheckpoint, originOf, checkAgainstCheckpoint, REGISTRY } from '../../core/verify/verify-log';
import { LogReplay, ReplayDecoder } from '../../core/verify/replay';
import { parseCompact } from '../../core/formats/statement';
import { decodeEntryLine } from '../../core/formats/entry';
import type { MemberState } from '../../core/rules/state';
import type { Api } from './api';

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
  tallies: number;
  regimeChanges: number;
  /** a fork's replay needs its original's carried delegations: then only the formats are checked */
  replayed: boolean;
  entries: AuditedEntry[];
}

export type Progress = (done: number, total: number) => void;

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

export async function auditCircle(api: Api, circle: string, onProgress: Progress = () => undefined, batch = 500): Promise<AuditReport> {
  const report: AuditReport = { ok: false, instance: '', size: 0, tallies: 0, regimeChanges: 0, replayed: false, entries: [] };
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

  // The registry: every member key.
  const registry = new LogVerifier({ circle: REGISTRY });
  const members: MemberState[] = [];
  try {
    for (const line of lines(await api.registryLog())) {
      registry.push(line);
      const d = decodeEntryLine(line);
      if (d.ok) {
        const parsed = parseCompact(d.entry.jws);
        if (parsed.payload.type === 'member.register' && parsed.header.jwk) members.push({ id: parsed.header.kid, name: parsed.payload.body.name, jwk: parsed.header.jwk });
      }
    }
    registry.finish();
  } catch (e) {
    return fail('registry', e);
  }

  const all = lines(await api.log(circle));
  // SPEC §11: every entry is checked against the keys over time, and speaks for the member its key belongs to.
  const keyBook = registry.keyBook();
  const verifier = new LogVerifier({ circle, keys: keyLookup(registry.memberKeys(), instance), instanceKid: instance.kid, rootsAt: [checkpoint.size], keyBook });
  const decoder = new ReplayDecoder((kid) => keyBook.key(kid)?.member ?? kid);
  const encoder = new TextEncoder();
  let replay: LogReplay | null = null;
  for (let i = 0; i < all.length; i++) {
    try {
      verifier.push(all[i]);
    } catch (e) {
      return fail('log', e, i);
    }
    const entry = decoder.entry(encoder.encode(all[i]));
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
    if (i % batch === batch - 1) {
      onProgress(i + 1, all.length);
      await tick();
    }
  }
  onProgress(all.length, all.length);
  try {
    const summary = verifier.finish();
    checkAgainstCheckpoint(summary, checkpoint);
    report.size = summary.size;
  } catch (e) {
    return fail('checkpoint', e);
  }
  report.tallies = replay?.tallies ?? 0;
  report.regimeChanges = replay?.regimeChanges ?? 0;
  report.ok = true;
  return report;
}

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
