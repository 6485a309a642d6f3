// The member's commands' exit statuses and error output, without an instance (docs/cli.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { EXIT, runCli } from '../../../src/cli/archipel';
import { ProfileStore } from '../../../src/cli/config';
import { entryLineOf } from '../../../src/cli/commands/watch';

describe('archipel exit statuses', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'archipel-exit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env, configDir: dir });
    return { code, out, err };
  }

  function profile(name: string, instance = 'http://127.0.0.1:9'): string {
    const key = StatementSigner.generate();
    new ProfileStore(dir).write({ profile: name, instance, member: key.id, name: 'Alice', key: key.exportPrivateJwk() });
    return key.id;
  }

  it('5 without a profile, in the language of LANG', async () => {
    const r = await run(['whoami'], { LANG: 'fr_FR.UTF-8' });
    expect(r.code).toBe(EXIT.NO_PROFILE);
    expect(r.err).toMatch(/aucun profil/);
    const j = await run(['whoami', '--json']);
    expect(JSON.parse(j.err)).toEqual({ error: { code: 'NO_PROFILE', message: expect.stringContaining('archipel init') } });
  });

  it('5 with several profiles and no --profile; --profile picks one', async () => {
    profile('one');
    const two = profile('two');
    expect((await run(['whoami'])).code).toBe(EXIT.NO_PROFILE);
    const r = await run(['whoami', '--profile', 'two', '--json']);
    expect(r.code).toBe(EXIT.OK);
    expect(JSON.parse(r.out)).toMatchObject({ member: two, profile: 'two', name: 'Alice' });
    expect((await run(['whoami', '--profile', 'three'])).code).toBe(EXIT.NO_PROFILE);
  });

  it('2 on a bad duration, choice or missing option, before anything is sent', async () => {
    profile('one');
    expect((await run(['propose', 'motion', '--circle', 'c', '--title', 't', '--closes-in', 'soon'])).code).toBe(EXIT.USAGE);
    expect((await run(['vote', 'p', 'maybe'])).code).toBe(EXIT.USAGE);
    expect((await run(['delegate', '--circle', 'c'])).code).toBe(EXIT.USAGE);
    expect((await run(['init', '--name', 'Alice'])).code).toBe(EXIT.USAGE);
    expect((await run(['--lang', 'de', 'whoami'])).code).toBe(EXIT.USAGE);
  });

  it('3 when the instance cannot be reached', async () => {
    profile('one');
    const r = await run(['circle', 'join', 'c']);
    expect(r.code).toBe(EXIT.UNREADABLE);
    expect(r.err).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('0 for --help, with examples', async () => {
    const r = await run(['circle', 'create', '--help']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('Examples:');
  });
});

describe('watch lines', () => {
  it('reads an entry of the log without trusting it', () => {
    const key = StatementSigner.generate();
    const jws = key.sign('vote.cast', 'c'.repeat(22), { proposal: 'p'.repeat(22), choice: 'yes' });
    const line = JSON.stringify({ v: 1, circle: 'c'.repeat(22), seq: 7, prev: null, recordedAt: '2026-12-05T10:00:00.000Z', jws });
    expect(entryLineOf(line)).toMatchObject({ seq: 7, type: 'vote.cast', kid: key.id, body: { choice: 'yes' } });
  });
});

describe('an id that starts with "-" (one in 64, base64url)', () => {
  it('is taken as an argument, not as an unknown option', async () => {
    const { runCli } = await import('../../../src/cli/program');
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) }, env: { XDG_CONFIG_HOME: '/nonexistent-archipel-test' } };
    const status = await runCli(['vote', '-bCdEfGhIjKlMnOpQrStUw', 'no'], io as never);
    expect(err).not.toMatch(/unknown option/);
    expect(status).toBe(5); // no profile: it got as far as acting
  });
});
