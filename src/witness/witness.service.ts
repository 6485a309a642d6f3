// SPEC §12.1: this instance as a C2SP tlog-witness for the logs it is configured to witness.
// The decision is pure (core/verify/witness-decision.ts); here it runs with the origin's record
// locked, the new record stored and the cosignature made before the answer leaves.
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cryptoProvider, PrivateKeyHandle, randomBytes } from '../core/crypto/crypto';
import { cosign, formatWitnessKey } from '../core/formats/cosignature';
import { DomainError } from '../core/rules/domain-error';
import { decideAddCheckpoint, ForkKind, parseRequest, Shown } from '../core/verify/witness-decision';
import { Clock } from '../common/clock';
import { CosignedRecord, WitnessRepository } from './witness.repository';
import { WitnessSettings } from './witness-settings';

/** The witness key's seed from WITNESS_KEY_FILE (base64), created there on first start. */
function seedFromFile(file: string): Uint8Array {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${Buffer.from(randomBytes(32)).toString('base64')}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  const seed = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (seed.length !== 32) throw new Error(`WITNESS_KEY_FILE ${file} must hold the base64 of a 32-byte Ed25519 seed`);
  return new Uint8Array(seed);
}

export type AddCheckpointAnswer = { status: 200; body: string } | { status: 409; size: number };

@Injectable()
export class WitnessService implements OnModuleInit {
  private readonly logger = new Logger('Witness');
  private key?: { name: string; privateKey: PrivateKeyHandle; publicKey: Uint8Array };

  constructor(
    private readonly repository: WitnessRepository,
    private readonly settings: WitnessSettings,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const seed = this.settings.keyFile ? seedFromFile(this.settings.keyFile) : (await this.repository.seed(this.settings.name, randomBytes(32))).seed;
    const privateKey = cryptoProvider().importPrivateKey(seed);
    this.key = { name: this.settings.name, privateKey, publicKey: cryptoProvider().publicKeyOf(privateKey) };
  }

  private get signer() {
    if (!this.key) throw new Error('The witness key is not loaded yet');
    return this.key;
  }

  /** This witness's cosignature/v1 verifier key (`name+keyid+base64(0x04‖key)`). */
  get vkey(): string {
    return formatWitnessKey(this.signer.name, this.signer.publicKey);
  }

  describe() {
    const origins = this.settings.logs.map((l) => (l.origin ?? `${l.prefix}circles/* and ${l.prefix}registry`));
    return { name: this.signer.name, key: this.vkey, origins };
  }

  async addCheckpoint(body: string): Promise<AddCheckpointAnswer> {
    const parsed = parseRequest(body);
    // Outside the lock: the origin names the lock; a body without one is refused as the decision would.
    const origin = parsed.ok ? parsed.checkpoint.origin : '';
    return this.repository.withOriginLocked(origin, async (record, tx) => {
      const verdict = decideAddCheckpoint(body, this.settings.keysFor, record);
      switch (verdict.status) {
        case 200: {
          const { checkpoint, text, note } = verdict;
          await this.repository.saveCosigned(tx, checkpoint.origin, checkpoint.size, checkpoint.root, note);
          const signer = this.signer;
          const line = cosign(text, signer.name, signer.publicKey, Math.floor(this.clock.now() / 1000), (m) => cryptoProvider().sign(signer.privateKey, m));
          return { status: 200, body: line };
        }
        case 409:
          if (verdict.fork && record) await this.keepEvidence(verdict.fork, record, verdict, body);
          return { status: 409, size: verdict.size };
        case 422:
          // Only a proof of a fork is evidence; a proof that does not verify is the sender's mistake.
          if (verdict.fork && record) await this.keepEvidence(verdict.fork, record, verdict, body);
          throw new DomainError('WITNESS_INCONSISTENT', `${verdict.reason}; not cosigned. Send a consistency proof from the size this witness answers with 409.`);
        case 400:
          throw new DomainError('WITNESS_MALFORMED_REQUEST', `${verdict.reason}. The body is "old N", the proof lines, a blank line and the signed checkpoint (C2SP tlog-witness).`);
        case 403:
          throw new DomainError('WITNESS_NOT_SIGNED', `${verdict.reason}; check the log's key configured in WITNESSED_LOGS.`);
        case 404:
          throw new DomainError('WITNESS_UNKNOWN_ORIGIN', `${verdict.reason}; its operator must add the log's key to WITNESSED_LOGS.`);
      }
    });
  }

  /** Two checkpoints the log signed that cannot both be true: kept with both notes, and the operator told. */
  private async keepEvidence(kind: ForkKind, known: CosignedRecord, shown: Shown, request: string) {
    const { checkpoint, note } = shown;
    const saved = await this.repository.saveEvidence({ origin: checkpoint.origin, kind, known, size: checkpoint.size, root: checkpoint.root, note, request });
    if (saved.id === null) {
      // The same fork shown again (or the bound reached): told once, kept once.
      this.logger.warn(`Fork of ${checkpoint.origin} shown again (${kind}, cosigned ${known.size}, shown ${checkpoint.size})${saved.kept ? `: evidence #${saved.kept}` : ''}; refused`);
      return;
    }
    this.logger.error(
      `FORK EVIDENCE #${saved.id} for ${checkpoint.origin}: ${kind} (cosigned ${known.size}, shown ${checkpoint.size}); ` +
        'kept in witness_evidence and listed at GET /witness/evidence. Stop trusting this log until its operator explains.',
    );
  }

  evidence(limit: number) {
    return this.repository.evidence(limit);
  }
}
