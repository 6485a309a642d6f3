// `archipel init`, `archipel whoami` and `archipel key add|revoke|recover|list`
// (SPEC §3.2, §11): her keys live on her machine, in a profile per instance;
// the instance only ever sees public keys and signed statements.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { randomBytes } from '../../core/crypto/crypto';
import type { Ed25519PublicJwk } from '../../core/formats/keys';
import { StatementSigner } from '../../core/formats/statement-signer';
import { Api } from '../api';
import { isProfileName, Profile, profileNameFor, writePrivateFile } from '../config';
import type { CliContext } from '../context';
import { ApiError, InputError, UsageError } from '../errors';
import { columns, shortId } from '../format';
import { recoverySigner, seedToWords } from '../recovery';
import { signKeyStatement, signRegister } from '../sign';

interface MemberView {
  id: string;
  name: string;
  jwk: Ed25519PublicJwk;
  keys?: { kid: string; jwk: Ed25519PublicJwk; addedAt: string; revokedAt?: string }[];
  recovery?: Ed25519PublicJwk;
}

const INIT_HELP = `
Examples:
  archipel init --instance https://archipel.example --name Alice
  archipel init --instance http://127.0.0.1:3000 --name Bob --profile local
  archipel init --import ./device-Nq3x.json        (a profile made by \`archipel key add\`)
  archipel init --instance https://commons-c.example --from commons-a.example
                                  (the same member on another instance of the federation)

Your signing key and the profile are written under $XDG_CONFIG_HOME/archipel
(mode 0600). The recovery words are shown once and written to a file you
should move offline: with them, \`archipel key recover\` gives you a new key
if this one is lost or stolen.
`;

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description('Create your key and a recovery key, and register as a member of an instance.')
    .option('--instance <url>', "the instance's base URL")
    .option('--name <name>', 'your name as other members will see it')
    .option('--import <file>', 'install a profile made on another device by `archipel key add --out`')
    .option('--from <profile>', 'act on --instance as the member of this profile: the instance brings her registration over from her home instance (SPEC §12.2)')
    .addHelpText('after', INIT_HELP)
    .action(async (opts: { instance?: string; name?: string; import?: string; from?: string }, cmd: Command) => {
      const t = ctx.t(cmd);
      const store = ctx.store();
      if (opts.from !== undefined) {
        if (opts.instance === undefined || !/^https?:\/\//i.test(opts.instance)) throw new UsageError('init --from PROFILE needs --instance URL: the other instance, as an http(s) URL');
        if (!store.exists(opts.from)) throw new UsageError(`no profile ${opts.from}: \`archipel init --instance URL --name NAME\` on her home instance first`);
        const home = store.read(opts.from);
        const instance = opts.instance.replace(/\/+$/, '');
        const profile = ctx.globals(cmd).profile ?? profileNameFor(instance);
        if (!isProfileName(profile)) throw new UsageError(`--profile: letters, digits, '.', '_' and '-' only`);
        if (store.exists(profile)) throw new UsageError(t('init.exists', { profile, file: store.fileOf(profile) }));
        const { name: homeName } = await new Api(home.instance).get<{ name: string }>('/.well-known/archipel.json');
        ctx.progress(cmd, `asking ${instance} to bring ${home.member} over from ${homeName}`);
        const brought = await new Api(instance).postJson<{ appended: number; present: number }>('/api/v1/federation/members', { member: home.member, instance: homeName });
        const file = store.write({ ...home, profile, instance });
        ctx.print(cmd, { profile, member: home.member, instance, from: homeName, file, ...brought }, t('init.brought', { name: home.name, member: home.member, instance, home: homeName, profile }));
        return;
      }
      if (opts.import !== undefined) {
        let imported: Profile;
        try {
          imported = JSON.parse(readFileSync(opts.import, 'utf8')) as Profile;
          StatementSigner.fromPrivateJwk(imported.key);
        } catch (e) {
          throw new InputError(`${opts.import}: not a profile made by archipel key add (${(e as Error).message})`);
        }
        const profile = ctx.globals(cmd).profile ?? imported.profile;
        if (store.exists(profile)) throw new UsageError(t('init.exists', { profile, file: store.fileOf(profile) }));
        const file = store.write({ ...imported, profile });
        ctx.print(cmd, { profile, member: imported.member, file }, t('init.done', { name: imported.name, member: imported.member, instance: imported.instance, profile }));
        return;
      }
      if (opts.instance === undefined || opts.name === undefined) throw new UsageError('init needs --instance URL and --name NAME (or --import FILE)');
      if (!/^https?:\/\//i.test(opts.instance)) throw new UsageError('--instance must be an http(s) URL');
      const profile = ctx.globals(cmd).profile ?? profileNameFor(opts.instance);
      if (!isProfileName(profile)) throw new UsageError(`--profile: letters, digits, '.', '_' and '-' only`);
      if (store.exists(profile)) throw new UsageError(t('init.exists', { profile, file: store.fileOf(profile) }));

      const signer = StatementSigner.generate();
      const seed = randomBytes(32);
      const recovery = StatementSigner.fromSeed(seed);
      const api = new Api(opts.instance);
      ctx.progress(cmd, `registering with ${opts.instance}`);
      let withRecovery = true;
      try {
        await api.post(signRegister(signer, opts.name, recovery.publicJwk));
      } catch (e) {
        // An instance from before SPEC §11 refuses the unknown body member: register without it.
        if (!refusesRecoveryMember(e)) throw e;
        await api.post(signRegister(signer, opts.name, null));
        withRecovery = false;
      }
      const p: Profile = { profile, instance: opts.instance.replace(/\/+$/, ''), member: signer.id, name: opts.name, key: signer.exportPrivateJwk() };
      const file = store.write(p);
      const words = withRecovery ? seedToWords(seed) : null;
      const recoveryFile = words
        ? store.writeSecret(
            `recovery-${profile}.txt`,
            `Archipel recovery words for ${opts.name} (${signer.id}) on ${p.instance}\n` +
              `Keep them offline. \`archipel key recover\` asks for them.\n\n${words}\n`,
          )
        : null;
      ctx.print(cmd, { profile, member: signer.id, name: opts.name, instance: p.instance, kid: signer.id, file, recovery: words ? { words, file: recoveryFile } : null }, () =>
        [
          t('init.done', { name: opts.name as string, member: signer.id, instance: p.instance, profile }),
          ...(words ? ['', t('init.recovery'), '', `  ${numbered(words)}`, '', t('init.recoveryFile', { file: recoveryFile as string })] : [t('init.noRecovery')]),
        ].join('\n'),
      );
    });
}

/**
 * The refusal of an instance from before SPEC §11, whose strict `member.register` body knows no
 * `recovery`: 422 INVALID_STATEMENT on body.recovery, "unknown member". Any other refusal (a key
 * in use, a bad key) is the member's to see, never a reason to register without a recovery key.
 */
export function refusesRecoveryMember(e: unknown): boolean {
  return e instanceof ApiError && e.status === 422 && e.code === 'INVALID_STATEMENT' && e.field === 'body.recovery' && e.message === 'unknown member';
}

function numbered(words: string): string {
  const list = words.split(' ');
  const rows: string[] = [];
  for (let i = 0; i < list.length; i += 6) {
    rows.push(list.slice(i, i + 6).map((w, j) => `${String(i + j + 1).padStart(2)}. ${w.padEnd(9)}`).join(' '));
  }
  return rows.join('\n  ');
}

export function whoamiCommand(ctx: CliContext): Command {
  return new Command('whoami')
    .description('Show the member this profile acts as.')
    .addHelpText('after', '\nExample:\n  archipel whoami --json\n')
    .action((_opts: unknown, cmd: Command) => {
      const { profile, signer } = ctx.acting(cmd);
      const view = { profile: profile.profile, instance: profile.instance, member: profile.member, name: profile.name, kid: signer.id };
      ctx.print(cmd, view, ctx.t(cmd)('whoami', { ...view }));
    });
}

async function memberView(api: Api, member: string): Promise<MemberView> {
  return api.get<MemberView>(`/api/v1/members/${encodeURIComponent(member)}`);
}

/** Every key that ever signed for her; before SPEC §11, only the registration key. */
function keysOf(view: MemberView): NonNullable<MemberView['keys']> {
  return view.keys ?? [{ kid: view.id, jwk: view.jwk, addedAt: '' }];
}

async function readWords(ctx: CliContext, cmd: Command, file: string | undefined): Promise<string> {
  if (file !== undefined) {
    try {
      // The recovery file holds a header: the words are its last non-empty line.
      return readFileSync(file === '-' ? 0 : file, 'utf8').trim().split('\n').pop() ?? '';
    } catch (e) {
      throw new InputError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  if (!ctx.io.interactive) throw new UsageError('give the recovery words with --words-file FILE (or - for standard input)');
  const { default: password } = await import('@inquirer/password');
  return password({ message: ctx.t(cmd)('key.wordsPrompt'), mask: '*' });
}

/** The signer of a key statement: the recovery key when --words-file names its words, else this device's. */
async function keySigner(ctx: CliContext, cmd: Command, wordsFile: string | undefined, device: StatementSigner): Promise<StatementSigner> {
  if (wordsFile === undefined) return device;
  const recovery = recoverySigner(await readWords(ctx, cmd, wordsFile));
  if (recovery === null) throw new UsageError(ctx.t(cmd)('key.wordsBad'));
  return recovery;
}

const KEY_HELP = `
Examples:
  archipel key list
  archipel key add --out ./device-laptop.json     (then \`archipel init --import\` on the laptop)
  archipel key revoke Nq3xK2…                      (a lost or stolen key)
  archipel key recover --words-file ./recovery.txt (this device gets a new key; the others are revoked)
  archipel key recover --instance URL --member ID  (on a new machine, no profile yet; words asked)
  archipel key recovery                            (new recovery words; the old ones stop working)

\`key recovery\` is signed by this device's active key, never by the recovery
words (an instance refuses member.recovery.set signed by a recovery key, see
docs/cli.md). With no device left: \`key recover\` with the words first (a new
key for this device), then \`key recovery\` from it.
`;

export function keyCommand(ctx: CliContext): Command {
  const key = new Command('key').description('Your keys over time: add a device, revoke a key, recover with the recovery words (SPEC §11).').addHelpText('after', KEY_HELP);

  key
    .command('list')
    .description('List the keys that ever signed for you.')
    .action(async (_opts: unknown, cmd: Command) => {
      const { profile, signer, api } = ctx.acting(cmd);
      const view = await memberView(api, profile.member);
      const keys = keysOf(view).map((k) => ({ ...k, thisDevice: k.kid === signer.id }));
      ctx.print(cmd, { member: view.id, keys, recovery: view.recovery ?? null }, () =>
        columns([
          ['KEY', 'ADDED', 'REVOKED', ''],
          ...keys.map((k) => [k.kid, k.addedAt || '-', k.revokedAt ?? '-', k.thisDevice ? '(this device)' : '']),
        ]) + (view.recovery ? `recovery key ${shortId(JSON.stringify(view.recovery.x))} is set\n` : ''),
      );
    });

  key
    .command('add')
    .description('Add a key for another device, signed by this one.')
    .option('--out <file>', "where to write the new device's profile (mode 0600)")
    .action(async (opts: { out?: string }, cmd: Command) => {
      const { t, profile, signer, api } = ctx.acting(cmd);
      const fresh = StatementSigner.generate();
      const appended = await api.post(signKeyStatement(signer, { type: 'member.key.add', body: { member: profile.member, jwk: fresh.publicJwk } }));
      const device: Profile = { ...profile, key: fresh.exportPrivateJwk() };
      const content = `${JSON.stringify(device, null, 2)}\n`;
      let out: string;
      if (opts.out !== undefined) {
        writePrivateFile(opts.out, content);
        out = opts.out;
      } else {
        out = ctx.store().writeSecret(`device-${fresh.id.slice(0, 8)}.json`, content);
      }
      ctx.print(cmd, { kid: fresh.id, member: profile.member, seq: appended.seq, file: out }, `${t('key.added', { kid: fresh.id, member: profile.member })}\n${t('key.addedOut', { file: out })}`);
    });

  key
    .command('revoke')
    .description('Revoke a key (a lost or stolen device): it signs nothing from then on.')
    .argument('<kid>', 'the key id (thumbprint) to revoke, as `archipel key list` shows it')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--words-file <file>', 'sign with the recovery key (its words in this file, - for standard input) instead of this device')
    .action(async (kid: string, opts: { yes?: boolean; wordsFile?: string }, cmd: Command) => {
      const { t, profile, signer, api } = ctx.acting(cmd);
      if (!opts.yes && ctx.io.interactive) {
        const { default: confirm } = await import('@inquirer/confirm');
        if (!(await confirm({ message: t('key.confirmRevoke', { kid }), default: false }))) {
          ctx.print(cmd, { revoked: null }, t('key.cancelled'));
          return;
        }
      }
      const by = await keySigner(ctx, cmd, opts.wordsFile, signer);
      const appended = await api.post(signKeyStatement(by, { type: 'member.key.revoke', body: { member: profile.member, key: kid } }));
      ctx.print(cmd, { revoked: kid, member: profile.member, seq: appended.seq }, t('key.revoked', { kid }));
    });

  key
    .command('recover')
    .description('With your recovery words: give this device a new key and revoke the others.')
    .option('--words-file <file>', 'read the words from this file (- for standard input) instead of asking')
    .option('--instance <url>', 'on a machine without a profile: the instance')
    .option('--member <id>', 'on a machine without a profile: your member id')
    .option('--keep-others', 'do not revoke your other keys')
    .action(async (opts: { wordsFile?: string; instance?: string; member?: string; keepOthers?: boolean }, cmd: Command) => {
      const t = ctx.t(cmd);
      let base: { instance: string; member: string; profile: string; name?: string };
      if (opts.instance !== undefined || opts.member !== undefined) {
        if (opts.instance === undefined || opts.member === undefined) throw new UsageError('--instance and --member go together');
        base = { instance: opts.instance.replace(/\/+$/, ''), member: opts.member, profile: ctx.globals(cmd).profile ?? profileNameFor(opts.instance) };
      } else {
        const p = ctx.profile(cmd);
        base = { instance: p.instance, member: p.member, profile: p.profile, name: p.name };
      }
      const recovery = recoverySigner(await readWords(ctx, cmd, opts.wordsFile));
      if (recovery === null) throw new UsageError(t('key.wordsBad'));
      const api = new Api(base.instance);
      const view = await memberView(api, base.member);
      if (view.recovery !== undefined && view.recovery.x !== recovery.publicJwk.x) throw new UsageError(t('key.wordsNotYours', { member: base.member }));
      ctx.progress(cmd, 'adding the new key');
      const fresh = StatementSigner.generate();
      await api.post(signKeyStatement(recovery, { type: 'member.key.add', body: { member: base.member, jwk: fresh.publicJwk } }));
      // Write the new key at once: whatever happens next, this device can sign.
      ctx.store().write({ profile: base.profile, instance: base.instance, member: base.member, name: base.name ?? view.name, key: fresh.exportPrivateJwk() });
      const revoked: string[] = [];
      if (!opts.keepOthers) {
        for (const k of keysOf(view)) {
          if (k.revokedAt !== undefined || k.kid === fresh.id) continue;
          ctx.progress(cmd, `revoking ${k.kid}`);
          await api.post(signKeyStatement(recovery, { type: 'member.key.revoke', body: { member: base.member, key: k.kid } }));
          revoked.push(k.kid);
        }
      }
      ctx.print(cmd, { member: base.member, kid: fresh.id, revoked, profile: base.profile }, () =>
        [t('key.recovered', { kid: fresh.id }), ...revoked.map((kid) => t('key.recoveredRevoked', { kid }))].join('\n'),
      );
    });

  key
    .command('recovery')
    .description("Replace your recovery key (lost or seen words), signed by this device's active key: new words, shown once and written to a file.")
    .action(async (_opts: unknown, cmd: Command) => {
      const { t, profile, signer, api } = ctx.acting(cmd);
      const seed = randomBytes(32);
      const recovery = StatementSigner.fromSeed(seed);
      // SPEC §11: the recovery key signs only member.key.add and member.key.revoke, so the device's key signs this.
      const appended = await api.post(signKeyStatement(signer, { type: 'member.recovery.set', body: { member: profile.member, jwk: recovery.publicJwk } }));
      const words = seedToWords(seed);
      const file = ctx.store().writeSecret(
        `recovery-${profile.profile}.txt`,
        `Archipel recovery words for ${profile.name} (${profile.member}) on ${profile.instance}\n` +
          `Keep them offline. \`archipel key recover\` asks for them.\n\n${words}\n`,
      );
      ctx.print(cmd, { member: profile.member, seq: appended.seq, recovery: { words, file } }, () =>
        [t('init.recovery'), '', `  ${numbered(words)}`, '', t('init.recoveryFile', { file })].join('\n'),
      );
    });

  for (const sub of key.commands) sub.addHelpText('after', KEY_HELP);
  return key;
}
