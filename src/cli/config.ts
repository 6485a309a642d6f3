// Profiles: one per instance, under the user's config directory
// ($XDG_CONFIG_HOME/archipel on Linux, as env-paths resolves it). Every file
// holds or sits beside a private key, so directories are 0700 and files 0600,
// written to a temporary name and renamed (never half written).
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import type { Ed25519PrivateJwk } from '../core/formats/keys';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export interface Profile {
  /** the profile's own name (the file is profiles/<name>.json) */
  profile: string;
  /** the instance's base URL */
  instance: string;
  /** her member id (the thumbprint of the key she registered with) */
  member: string;
  name: string;
  /** the key this device signs with */
  key: Ed25519PrivateJwk;
}

/** The config directory: `dir` when given (tests), else env-paths' for "archipel". */
export function configDir(dir?: string): string {
  return dir ?? envPaths('archipel', { suffix: '' }).config;
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  chmodSync(path, DIR_MODE);
}

/** Writes a private file: mode 0600 from its creation, replaced atomically. */
export function writePrivateFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: FILE_MODE, flag: 'w' });
  chmodSync(tmp, FILE_MODE);
  renameSync(tmp, path);
}

/** A profile name from an instance URL: its host and port (`archipel.example`, `127.0.0.1-3000`). */
export function profileNameFor(instance: string): string {
  const url = new URL(instance);
  return `${url.hostname}${url.port ? `-${url.port}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '-');
}

export function isProfileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name);
}

export class ProfileStore {
  constructor(readonly dir: string) {}

  private get profilesDir(): string {
    return join(this.dir, 'profiles');
  }

  fileOf(profile: string): string {
    return join(this.profilesDir, `${profile}.json`);
  }

  list(): string[] {
    try {
      return readdirSync(this.profilesDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length))
        .sort();
    } catch {
      return [];
    }
  }

  exists(profile: string): boolean {
    return this.list().includes(profile);
  }

  read(profile: string): Profile {
    return JSON.parse(readFileSync(this.fileOf(profile), 'utf8')) as Profile;
  }

  write(p: Profile): string {
    ensureDir(this.dir);
    ensureDir(this.profilesDir);
    const file = this.fileOf(p.profile);
    writePrivateFile(file, `${JSON.stringify(p, null, 2)}\n`);
    return file;
  }

  /** A file beside the profiles (recovery words, a second device's profile), mode 0600. */
  writeSecret(name: string, content: string): string {
    ensureDir(this.dir);
    const file = join(this.dir, name);
    writePrivateFile(file, content);
    return file;
  }
}
