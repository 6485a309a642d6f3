// What every command gets: where to write, the language, --json, and the
// member it acts as (the profile, its signer and the instance's API).
import type { Command } from 'commander';
import { StatementSigner } from '../core/formats/statement-signer';
import { Api } from './api';
import { configDir, Profile, ProfileStore } from './config';
import { ProfileError } from './errors';
import { Lang, pickLang, Translate, translator } from './i18n';

export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** LANG, LC_ALL, XDG_CONFIG_HOME…; process.env by default */
  env?: Record<string, string | undefined>;
  /** the config directory (tests); env-paths' by default */
  configDir?: string;
  /** the script worker threads run (tests point it at a TypeScript loader) */
  workerFile?: string;
  /** whether prompts may be asked (stdin is a terminal) */
  interactive?: boolean;
}

export interface GlobalOptions {
  json?: boolean;
  lang?: string;
  profile?: string;
}

/** A member acting through one profile. */
export interface Acting {
  /** her messages, in the language of --lang or her locale */
  t: Translate;
  profile: Profile;
  signer: StatementSigner;
  api: Api;
}

export class CliContext {
  constructor(readonly io: CliIo) {}

  get env(): Record<string, string | undefined> {
    return this.io.env ?? process.env;
  }

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  lang(cmd?: Command): Lang {
    return pickLang(cmd ? this.globals(cmd).lang : undefined, this.env);
  }

  t(cmd?: Command): Translate {
    return translator(this.lang(cmd));
  }

  store(): ProfileStore {
    return new ProfileStore(configDir(this.io.configDir));
  }

  /** The profile named by --profile, or the only one there is. */
  profile(cmd: Command): Profile {
    const t = this.t(cmd);
    const store = this.store();
    const known = store.list();
    const wanted = this.globals(cmd).profile;
    if (wanted !== undefined) {
      if (!known.includes(wanted)) throw new ProfileError(t('profile.unknown', { profile: wanted, known: known.join(', ') || '-' }));
      return store.read(wanted);
    }
    if (known.length === 0) throw new ProfileError(t('profile.none'));
    if (known.length > 1) throw new ProfileError(t('profile.many', { known: known.join(', ') }));
    return store.read(known[0]);
  }

  acting(cmd: Command): Acting {
    const profile = this.profile(cmd);
    return { t: this.t(cmd), profile, signer: StatementSigner.fromPrivateJwk(profile.key), api: new Api(profile.instance) };
  }

  /** Prints `value` as JSON with --json, else the readable text. */
  print(cmd: Command, value: unknown, text: string | (() => string)): void {
    if (this.globals(cmd).json) {
      this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    } else {
      const s = typeof text === 'string' ? text : text();
      this.io.stdout.write(s.endsWith('\n') || s === '' ? s : `${s}\n`);
    }
  }

  /** A progress note on stderr, on a terminal only and never with --json. */
  progress(cmd: Command, what: string): void {
    if (this.io.stderr.isTTY && !this.globals(cmd).json) this.io.stderr.write(`${this.t(cmd)('working', { what })}\n`);
  }
}
