import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { configDir, isProfileName, profileNameFor, ProfileStore, writePrivateFile } from '../../../src/cli/config';
import { catalogKeys, pickLang, translator } from '../../../src/cli/i18n';
import { recoverySigner, seedToWords, wordsToSeed } from '../../../src/cli/recovery';

describe('profiles on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'archipel-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes profiles 0600 in 0700 directories, and reads them back', () => {
    const store = new ProfileStore(join(dir, 'archipel'));
    const key = StatementSigner.generate();
    const file = store.write({ profile: 'local', instance: 'http://127.0.0.1:3000', member: key.id, name: 'Alice', key: key.exportPrivateJwk() });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'archipel')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'archipel', 'profiles')).mode & 0o777).toBe(0o700);
    expect(store.list()).toEqual(['local']);
    expect(StatementSigner.fromPrivateJwk(store.read('local').key).id).toBe(key.id);
    expect(statSync(store.writeSecret('recovery-local.txt', 'words\n')).mode & 0o777).toBe(0o600);
  });

  it('makes an existing world-readable file private when it replaces it', () => {
    const file = join(dir, 'device.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    writePrivateFile(file, 'new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('lives under XDG_CONFIG_HOME', () => {
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = dir;
    try {
      if (process.platform === 'linux') expect(configDir()).toBe(join(dir, 'archipel'));
      expect(configDir('/elsewhere')).toBe('/elsewhere');
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });

  it('names a profile after the instance host and port', () => {
    expect(profileNameFor('https://archipel.example/')).toBe('archipel.example');
    expect(profileNameFor('http://127.0.0.1:3000')).toBe('127.0.0.1-3000');
    expect(isProfileName('127.0.0.1-3000')).toBe(true);
    expect(isProfileName('../etc')).toBe(false);
    expect(isProfileName('')).toBe(false);
  });
});

describe('recovery words', () => {
  it('round-trips a 32-byte seed through 24 words', () => {
    const seed = new Uint8Array(32).map((_, i) => i * 7);
    const words = seedToWords(seed);
    expect(words.split(' ')).toHaveLength(24);
    expect(wordsToSeed(`  ${words.toUpperCase().replace(/ /g, '\n')} `)).toEqual(seed);
    expect(recoverySigner(words)?.id).toBe(StatementSigner.fromSeed(seed).id);
  });

  it('catches a changed or missing word', () => {
    const words = seedToWords(new Uint8Array(32).fill(1)).split(' ');
    const swapped = [...words];
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    expect(wordsToSeed(swapped.join(' '))).toBeNull();
    expect(wordsToSeed(words.slice(0, 23).join(' '))).toBeNull();
    expect(wordsToSeed('not words at all')).toBeNull();
  });
});

describe('languages', () => {
  it('follows --lang, then LC_ALL, LC_MESSAGES, LANG', () => {
    expect(pickLang(undefined, { LANG: 'fr_FR.UTF-8' })).toBe('fr');
    expect(pickLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(pickLang('fr', { LC_ALL: 'C' })).toBe('fr');
    expect(pickLang(undefined, {})).toBe('en');
  });
  it('has every message in both languages', () => {
    expect(catalogKeys('fr')).toEqual(catalogKeys('en'));
    expect(translator('fr')('vote.cast', { choice: 'yes', proposal: 'P' })).toBe('Vote yes sur P.');
  });
});
