// Whether a log's latest checkpoint is cosigned by witnesses (SPEC §12.1), as `GET
// …/checkpoint?cosigned=1` answers: the newest checkpoint that meets the instance's witness policy,
// its witnesses' cosignature lines merged in. The note is opened with the instance key, then who
// cosigned it and when is read from its cosignature/v1 lines. The witnesses' own keys are in the
// instance's policy, which a reader (the web app, `archipel circle show`) does not have: the
// instance checked each cosignature against them before serving the note
// (src/witness/cosigned-checkpoints.service.ts); `archipel verify --witness` checks them again
// given the keys (cosignature-quorum.ts).
import { readCosignature, splitNote } from '../formats/cosignature';
import { verifyCheckpoint } from './checkpoint-checks';

export interface Cosigner {
  /** the witness's key name, e.g. `b.example/witness` */
  name: string;
  /** when it cosigned (POSIX seconds) */
  timestamp: number;
}

export type Witnessing =
  /** the newest checkpoint meeting the policy: its size and its cosigners, each named once */
  | { state: 'cosigned'; size: number; witnesses: Cosigner[] }
  /** no witness has cosigned a checkpoint of this log (or the instance has no witness policy) */
  | { state: 'none' };

/**
 * Reads a `?cosigned=1` note: opened with the instance's signed-note key for `origin` (throws the
 * core's CheckpointFailure otherwise), then its cosignature/v1 lines (the instance's own line is a
 * plain signed-note signature, not one of them). A note with no cosignature (a policy without a
 * quorum serves the plain checkpoint) is `none`.
 */
export function readWitnessing(note: string, noteKey: string, origin: string): Witnessing {
  const checkpoint = verifyCheckpoint(note, noteKey, origin);
  const byName = new Map<string, Cosigner>();
  for (const line of splitNote(note).lines) {
    const cosignature = readCosignature(line);
    if (cosignature === null) continue;
    const seen = byName.get(cosignature.name);
    if (!seen || seen.timestamp < cosignature.timestamp) byName.set(cosignature.name, { name: cosignature.name, timestamp: cosignature.timestamp });
  }
  if (byName.size === 0) return { state: 'none' };
  return { state: 'cosigned', size: checkpoint.size, witnesses: [...byName.values()].sort((x, y) => x.name.localeCompare(y.name)) };
}
