// Where the instance's private key is (docs/operations.md#the-instance-key). The service signs only
// through the StatementSigner a source gives it; the database keeps the public key alone.
//
// The default source is a file readable only by the service user. To sign with a key held
// elsewhere (a hardware module, a cloud key service, a signing process), bind INSTANCE_KEY_SOURCE in
// IdentityModule to a source whose `load` returns `StatementSigner.external(publicKey, signBytes)`.
import { existsSync, statSync } from 'node:fs';
import { StatementSigner } from '../core/formats/statement-signer';
import { readKeyFile, writeKeyFile } from '../database/instance-key-file';

export const INSTANCE_KEY_SOURCE = Symbol('INSTANCE_KEY_SOURCE');

export interface InstanceKeySource {
  /** Named in log lines and errors ("the file /data/instance-key.jwk"). */
  readonly description: string;
  /** The key, or null when there is none yet. */
  load(): StatementSigner | null;
  /** Create and keep a new key (first start only); sources that cannot create one throw. */
  create(): StatementSigner;
}

export class FileKeySource implements InstanceKeySource {
  constructor(private readonly file: string) {}

  get description(): string {
    return `the file ${this.file}`;
  }

  load(): StatementSigner | null {
    if (!existsSync(this.file)) return null;
    const mode = statSync(this.file).mode & 0o777;
    if (mode & 0o077) {
      throw new Error(`The instance key file ${this.file} is readable by others (mode ${mode.toString(8)}): run chmod 600 ${this.file} and start again.`);
    }
    return readKeyFile(this.file);
  }

  create(): StatementSigner {
    const fresh = StatementSigner.generate();
    try {
      writeKeyFile(this.file, fresh.exportPrivateJwk());
    } catch (e) {
      // Another process created it a moment ago: that one is the key.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(this.file);
      throw e;
    }
    return fresh;
  }
}
