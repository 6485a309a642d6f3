// SPEC §3.3, §3.6: the instance's own Ed25519 key signs system statements and checkpoints. The
// private key is outside the database (a file by default, or an external signer: see
// instance-key-source.ts); the database pins the public key alone. Created on first start, and
// never replaced as a side effect: a key that does not match the pinned one stops the service.
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfigService } from '../config/app-config';
import { formatVerifierKey, signNote } from '../core/formats/signed-note';
import { Ed25519PublicJwk } from '../core/formats/keys';
import { StatementSigner } from '../core/formats/statement-signer';
import type { PublicKeyHandle } from '../core/crypto/crypto';
import { InstanceKeyRepository } from './instance-key.repository';
import { INSTANCE_KEY_SOURCE, InstanceKeySource } from './instance-key-source';

const RUNBOOK = 'docs/operations.md#the-instance-key';

@Injectable()
export class InstanceKeyService implements OnModuleInit {
  private readonly logger = new Logger('InstanceKey');
  private signer?: StatementSigner;

  constructor(
    private readonly keys: InstanceKeyRepository,
    private readonly config: AppConfigService,
    @Inject(INSTANCE_KEY_SOURCE) private readonly source: InstanceKeySource,
  ) {}

  async onModuleInit(): Promise<void> {
    this.signer = await this.load();
  }

  get instance(): StatementSigner {
    if (!this.signer) throw new Error('The instance key is not loaded yet');
    return this.signer;
  }

  get kid(): string {
    return this.instance.id;
  }

  get publicJwk(): Ed25519PublicJwk {
    return this.instance.publicJwk;
  }

  get publicKey(): PublicKeyHandle {
    return this.instance.publicKey;
  }

  get name(): string {
    return this.config.get('INSTANCE_NAME');
  }

  get rawPublicKey(): Uint8Array {
    return this.instance.rawPublicKey;
  }

  /** The signed-note verifier key (`name+hex(keyid)+base64(0x01‖pub)`). */
  get noteKey(): string {
    return formatVerifierKey(this.name, this.rawPublicKey);
  }

  /** Sign a C2SP note (checkpoints) with the instance key. */
  signNote(text: string): string {
    const signer = this.instance;
    return signNote(text, this.name, this.rawPublicKey, (message) => signer.signBytes(message));
  }

  private async load(): Promise<StatementSigner> {
    const pinned = await this.keys.pinned();
    const signer = this.source.load();
    if (signer) {
      if (pinned && pinned.kid !== signer.id) {
        throw new Error(
          `The instance key in ${this.source.description} (${signer.id}) is not the key this database published (${pinned.kid}); refusing to start. ` +
            `Put this instance's key back there (from the backup made with the database); replacing the key is an operator action (${RUNBOOK}).`,
        );
      }
      if (!pinned) await this.keys.pin(signer.id, signer.publicJwk);
      return signer;
    }
    if (pinned) {
      throw new Error(
        `The instance key is missing from ${this.source.description}, but this database published key ${pinned.kid}; refusing to start. ` +
          `Restore the key from the backup made with the database: a new key would make every existing log unverifiable (${RUNBOOK}).`,
      );
    }
    const fresh = this.source.create();
    if (!(await this.keys.pin(fresh.id, fresh.publicJwk))) return this.load(); // another process pinned one first
    this.logger.log(`Created the instance key ${fresh.id} in ${this.source.description}: back it up with the database (${RUNBOOK})`);
    return fresh;
  }
}
