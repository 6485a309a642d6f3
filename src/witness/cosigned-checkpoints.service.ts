// SPEC §12.1: the newest checkpoint of a log whose stored cosignatures meet the witness policy.
import { Injectable } from '@nestjs/common';
import { verifyCosignature, parseSignatureLine, mergeSignatures, splitNote } from '../core/formats/cosignature';
import { satisfies } from '../core/formats/witness-policy';
import { DomainError } from '../core/rules/domain-error';
import { CosignedCheckpointSource } from '../ledger/cosigned-checkpoints';
import { LedgerService } from '../ledger/ledger.service';
import { WitnessRepository } from './witness.repository';
import { WitnessSettings } from './witness-settings';

/** How many cosigned sizes are looked at, newest first. */
const LOOK_BACK = 20;

@Injectable()
export class CosignedCheckpoints extends CosignedCheckpointSource {
  constructor(
    private readonly repository: WitnessRepository,
    private readonly settings: WitnessSettings,
    private readonly ledger: LedgerService,
  ) {
    super();
  }

  get witnessed(): boolean {
    return this.settings.policy !== null;
  }

  async newest(circle: string): Promise<string> {
    const policy = this.settings.policy;
    if (!policy) throw new DomainError('NO_COSIGNED_CHECKPOINT', 'This instance has no witness policy (WITNESS_POLICY_FILE); ask for the plain checkpoint.');
    if (policy.quorum === null) return this.ledger.checkpoint(circle);
    for (const { note, lines } of await this.repository.cosigned(circle, LOOK_BACK)) {
      const { text } = splitNote(note);
      const names = new Set<string>();
      const good: string[] = [];
      for (const { witness, line } of lines) {
        const w = policy.witnesses.find((p) => p.vkey === witness);
        const sig = parseSignatureLine(line.replace(/\n$/, ''));
        // Re-checked on the way out: a row is only as good as its signature.
        if (w && sig && verifyCosignature(text, sig, w.key)) {
          names.add(w.name);
          good.push(line);
        }
      }
      if (satisfies(policy, names)) return mergeSignatures(note, good);
    }
    throw new DomainError('NO_COSIGNED_CHECKPOINT', `No checkpoint of ${circle} meets the witness policy yet; witnesses are asked every WITNESS_INTERVAL_SECONDS, try again shortly.`);
  }
}
