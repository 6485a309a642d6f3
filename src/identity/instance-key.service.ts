// SPEC §3.3, §3.6: the instance's own Ed25519 key signs system statements and checkpoints.
// Created on first start, kept in the database or in a file (INSTANCE_KEY_STORE), and never
// regenerated silently: once the database has pinned a public key, a missing key file is fatal.
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppConfigService } from '../config/app-config';
import { formatVerifierKey, signNote } from '../core/formats/signed-note';
import { Ed25519PrivateJwk, Ed25519PublicJwk } from '../core/formats/keys';
import { StatementSigner } from '../core/formats/statement-signer';
import type { PublicKeyHandle } from '../core/crypto/crypto';
import { InstanceKeyRepository } from './instance-key.repository';

@Injectable()
export class InstanceKeyService implements OnModuleInit {
  private readonly logger = new Logger('InstanceKey');
  private signer?: StatementSigner;

  constructor(
    private readonly keys: InstanceKeyRepository,
    private readonly config: AppConfigService,
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
    const store = this.config.get('INSTANCE_KEY_STORE');
    const pinned = await this.keys.pinned();
    if (store === 'database') {
      if (pinned?.privateJwk) return StatementSigner.fromPrivateJwk(pinned.privateJwk);
      if (pinned) throw new Error(`The instance key ${pinned.kid} is kept in a file, but INSTANCE_KEY_STORE is "database".`);
      return this.create(null);
    }
    if (existsSync(store)) {
      const signer = StatementSigner.fromPrivateJwk(JSON.parse(readFileSync(store, 'utf8')) as Ed25519PrivateJwk);
      if (pinned && pinned.kid !== signer.id) {
        throw new Error(`The key in ${store} (${signer.id}) is not this instance's key (${pinned.kid}); refusing to start.`);
      }
      if (!pinned) await this.pin(signer, false);
      return signer;
    }
    if (pinned) {
      throw new Error(
        `The instance key file ${store} is missing, but this database was signed by key ${pinned.kid}. ` +
          'Restore the file; a new key would make every existing log unverifiable.',
      );
    }
    return this.create(store);
  }

  private async create(file: string | null): Promise<StatementSigner> {
    const fresh = StatementSigner.generate();
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(fresh.exportPrivateJwk()), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    }
    const won = await this.pin(fresh, !file);
    if (!won) return this.load(); // another process created it first
    this.logger.log(`Created the instance key ${fresh.id} (${file ? `file ${file}` : 'kept in the database'})`);
    return fresh;
  }

  private pin(signer: StatementSigner, withPrivate: boolean): Promise<boolean> {
    return this.keys.pin(signer.id, signer.publicJwk, withPrivate ? signer.exportPrivateJwk() : null);
  }
}
