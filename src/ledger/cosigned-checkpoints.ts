// `GET …/checkpoint?cosigned=1` (SPEC §12.1): the newest checkpoint that meets the witness policy.
// Provided by the witness feature (src/witness/cosigned-checkpoints.service.ts), above the ledger.
export abstract class CosignedCheckpointSource {
  /** Whether this instance has a witness policy (WITNESS_POLICY / WITNESS_POLICY_FILE): witnesses to wait for. */
  abstract get witnessed(): boolean;
  /** The note with its cosignature lines merged in; throws NO_COSIGNED_CHECKPOINT when none yet. */
  abstract newest(circle: string): Promise<string>;
}
