// The instance key file (docs/operations.md#the-instance-key): written once, mode 0600, through a
// temporary file renamed into place, and read back before anything relies on it.
import { closeSync, existsSync, fsyncSync, mkdirSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StatementSigner } from '../core/formats/statement-signer';
import { Ed25519PrivateJwk } from '../core/formats/keys';

let keyFile: string | null = null;

/** The file the migration moves a database-held private key to (set before migrations run). */
export function setInstanceKeyFile(file: string | null): void {
  keyFile = file;
}

/** Written once, mode 0600: throws EEXIST when the file is there already. */
export function writeKeyFile(file: string, jwk: Ed25519PrivateJwk): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(jwk));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // A hard link fails if the file exists: two processes starting at once never overwrite a key.
  try {
    linkSync(tmp, file);
  } finally {
    unlinkSync(tmp);
  }
}

export function readKeyFile(file: string): StatementSigner {
  let jwk: Ed25519PrivateJwk;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as Ed25519PrivateJwk;
  } catch (e) {
    throw new Error(`The instance key file ${file} cannot be read (${(e as Error).message}). Restore it from the backup (docs/operations.md#the-instance-key).`);
  }
  return StatementSigner.fromPrivateJwk(jwk);
}

/**
 * Move a private key found in the database to the key file: written and read back first, so the
 * caller drops it from the database only once the file holds that very key. A file already there
 * must hold the same key.
 */
export function moveInstanceKeyOut(kid: string, jwk: Record<string, string>): void {
  if (!keyFile) {
    throw new Error(
      `The database holds the instance private key ${kid}; the migration moves it to the key file, but none was given. ` +
        'Run the service (or its migrations) with INSTANCE_KEY_STORE or DATA_DIR set.',
    );
  }
  if (!existsSync(keyFile)) writeKeyFile(keyFile, jwk as unknown as Ed25519PrivateJwk);
  const signer = readKeyFile(keyFile);
  if (signer.id !== kid) {
    throw new Error(
      `The database holds the instance private key ${kid}, but ${keyFile} holds another key (${signer.id}). ` +
        'Move that file away (it is not this instance\'s key) and start again: the key will be moved out of the database into it.',
    );
  }
  process.stderr.write(`archipel: moved the instance private key ${kid} out of the database into ${keyFile} (mode 0600); back this file up.\n`);
}
