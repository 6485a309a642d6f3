// Two members act only through the shipped CLI, each with her own config directory, against the
// real service, PostgreSQL, Redis and worker: register, create a circle, invite and join, delegate,
// propose, vote, watch the tally arrive live, rotate a key with the recovery words (SPEC §11)
// keeping the votes and delegations her old key signed, and `archipel verify` accepts every log.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, startTestApp, TestApp } from '../support/app';
import { archipelWith, CliRun } from '../support/cli';

const CLI = resolve(__dirname, '../../bin/archipel.js');

describe('a member session through the archipel CLI', () => {
  let t: TestApp;
  const home = mkdtempSync(join(tmpdir(), 'archipel-cli-'));
  const aliceEnv = { XDG_CONFIG_HOME: join(home, 'alice'), LANG: 'en_GB.UTF-8' };
  const bobEnv = { XDG_CONFIG_HOME: join(home, 'bob'), LANG: 'fr_FR.UTF-8' };
  const alice = (...args: string[]): Promise<CliRun> => archipelWith(aliceEnv, ...args);
  const bob = (...args: string[]): Promise<CliRun> => archipelWith(bobEnv, ...args);
  const json = <T = Record<string, unknown>>(run: CliRun): T => {
    if (run.status !== 0) throw new Error(`exit ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };

  let aliceId: string;
  let bobId: string;
  let recovery: { words: string; file: string };
  let circle: string;
  let proposal: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: true });
  });
  afterAll(async () => {
    await t.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('registers two members, each with a private profile', async () => {
    const a = json<{ member: string; file: string; recovery: { words: string; file: string } | null }>(
      await alice('init', '--instance', t.url, '--name', 'Alice', '--json'),
    );
    aliceId = a.member;
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'alice', 'archipel')).mode & 0o777).toBe(0o700);
    // This instance takes recovery keys (SPEC §11): init must have registered one.
    expect(a.recovery).not.toBeNull();
    recovery = a.recovery as { words: string; file: string };
    expect(recovery.words.split(' ')).toHaveLength(24);
    expect(statSync(recovery.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(recovery.file, 'utf8')).toContain(recovery.words);
    expect(json<{ recovery: unknown }>(await alice('key', 'list', '--json')).recovery).not.toBeNull();
    const b = await bob('init', '--instance', t.url, '--name', 'Bob');
    expect(b.status).toBe(0);
    expect(b.stdout).toMatch(/^Bob enregistrée comme membre /);
    bobId = json<{ member: string }>(await bob('whoami', '--json')).member;
    expect(json<{ name: string }>(await alice('whoami', '--json')).name).toBe('Alice');
    const keys = json<{ keys: { kid: string; thisDevice: boolean }[] }>(await alice('key', 'list', '--json')).keys;
    expect(keys).toEqual([expect.objectContaining({ kid: aliceId, thisDevice: true })]);
    expect((await t.app.getHttpServer()) && (await fetch(`${t.url}/api/v1/members/${bobId}`)).status).toBe(200);
  });

  it('a second init on the same instance is a usage error', async () => {
    const again = await alice('init', '--instance', t.url, '--name', 'Alice');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('creates a circle, invites and joins', async () => {
    circle = json<{ circle: string }>(await alice('circle', 'create', 'Garden', '--regime', 'unanimity', '--json')).circle;
    expect((await alice('circle', 'invite', circle, bobId)).status).toBe(0);
    const waiting = json<{ invitations: { circle: string }[] }>(await bob('circle', 'list', '--json'));
    expect(waiting.invitations.map((i) => i.circle)).toEqual([circle]);
    expect((await bob('circle', 'join', circle)).status).toBe(0);
    const members = await alice('circle', 'members', circle);
    expect(members.stdout).toContain('Alice (you)');
    expect(members.stdout).toContain('Bob');
    expect((await alice('circle', 'tree')).stdout).toContain(`Garden (${circle}, unanimity`);
  });

  it('prints the API code and exits 4 on a refusal', async () => {
    const again = await bob('circle', 'join', circle, '--lang', 'en');
    expect(again.status).toBe(4);
    expect(again.stderr).toMatch(/^error [A-Z_]+: /);
    const asJson = await bob('circle', 'join', circle, '--json');
    expect(asJson.status).toBe(4);
    expect(JSON.parse(asJson.stderr).error.code).toMatch(/^[A-Z_]+$/);
  });

  it('delegates, proposes, votes, and watches the tally arrive', async () => {
    expect((await bob('delegate', '--to', aliceId, '--circle', circle)).status).toBe(0);
    // entries 0..3 exist; the proposal (4), the vote (5) and the tally (6) are to come.
    const watch = spawn(process.execPath, [CLI, 'watch', circle, '--from', '0', '--max', '7'], { env: { ...process.env, ...aliceEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let watched = '';
    watch.stdout.on('data', (d) => (watched += d));
    const watchEnded = new Promise<number | null>((done) => watch.on('close', done));
    await eventually(async () => watched.includes('#3 '), 15_000, 'watch to print the history');

    const opened = await alice('propose', 'motion', '--circle', circle, '--title', 'Buy a mower', '--text', 'One mower for the garden.', '--closes-in', '15s', '--json');
    const openedAnswer = json<{ proposal: string; regime: string }>(opened);
    proposal = openedAnswer.proposal;
    expect(openedAnswer.regime).toBe('unanimity');
    expect((await alice('vote', proposal, 'yes')).status).toBe(0);

    // Provisional while open; on a slow machine it may already be closed, with the same totals.
    const shown = json<{ provisional?: { Y: number }; result?: { totals: { Y: number } }; weight: { cast: string; chain: string[]; choice: string } }>(await bob('show', proposal, '--json'));
    expect(shown.provisional?.Y ?? shown.result?.totals.Y).toBe(2);
    expect(shown.weight).toMatchObject({ cast: 'delegated', choice: 'yes', chain: [aliceId] });
    expect((await bob('show', proposal, '--lang', 'en')).stdout).toMatch(/your weight: delegated via .*Alice.* → yes/);

    expect(await watchEnded).toBe(0);
    expect(watched).toMatch(/#4 .*proposal\.open .*Alice opened motion "Buy a mower"/);
    expect(watched).toMatch(/#5 .*vote\.cast .*Alice voted yes/);
    expect(watched).toMatch(/#6 .*tally\.result .*adopted — yes 2 · no 0 · abstain 0/);

    const closed = json<{ status: string; result: { outcome: string } }>(await bob('show', proposal, '--json'));
    expect(closed).toMatchObject({ status: 'closed', result: { outcome: 'adopted' } });
    const listed = json<{ items: { id: string }[] }>(await bob('proposals', '--circle', circle, '--json'));
    expect(listed.items.map((p) => p.id)).toContain(proposal);
  });

  it('retracts a vote, revokes a delegation, takes a position', async () => {
    const opened = await alice('propose', 'motion', '--circle', circle, '--title', 'Paint the shed', '--closes-in', '10m');
    expect(opened.status).toBe(0);
    expect(opened.stderr).toContain('Circle Garden decides under unanimity');
    const next = /^Proposal (\S+) opened in /.exec(opened.stdout)?.[1] as string;
    expect(next).toBeDefined();
    expect((await alice('vote', next, 'no')).status).toBe(0);
    expect((await alice('retract', next)).status).toBe(0);
    expect(json<{ weight: { cast: string } }>(await alice('show', next, '--json')).weight.cast).toBe('absent');
    expect(json<{ weight: { cast: string } }>(await bob('show', next, '--json')).weight.cast).toBe('lost');
    expect((await bob('revoke-delegation', '--circle', circle)).status).toBe(0);
    expect(json<{ weight: { cast: string } }>(await bob('show', next, '--json')).weight.cast).toBe('absent');
    expect((await bob('delegate', '--to', aliceId, '--circle', circle)).status).toBe(0);
    expect((await bob('position', 'do-ocracy', '--circle', circle)).status).toBe(0);
    const open = json<{ items: { id: string; status: string }[] }>(await bob('proposals', '--open', '--json'));
    expect(open.items.map((p) => p.id)).toEqual([next]);
  });

  it('rotates a key with the recovery words and keeps delegations and votes', async () => {
    const before = json<{ kid: string }>(await alice('whoami', '--json')).kid;
    // With her first key, before the rotation: a vote she leaves standing, and a delegation to Bob.
    // Bob's position moved the regime cursor to do-ocracy (entries above): support, not yes.
    const votedBefore = json<{ proposal: string }>(await alice('propose', 'motion', '--circle', circle, '--title', 'Mend the fence', '--closes-in', '10m', '--json')).proposal;
    json(await alice('vote', votedBefore, 'support', '--json'));
    const delegatedBefore = json<{ proposal: string }>(await alice('propose', 'motion', '--circle', circle, '--title', 'Dig a pond', '--closes-in', '10m', '--json')).proposal;
    json(await alice('delegate', '--to', bobId, '--proposal', delegatedBefore, '--json'));

    const staleProfile = join(home, 'stale-profile.json');
    copyFileSync(join(home, 'alice', 'archipel', 'profiles', `${new URL(t.url).hostname}-${new URL(t.url).port}.json`), staleProfile);
    const recovered = json<{ kid: string; revoked: string[] }>(await alice('key', 'recover', '--words-file', recovery.file, '--json'));
    expect(recovered.revoked).toEqual([before]);
    const after = json<{ kid: string; member: string }>(await alice('whoami', '--json'));
    expect(after).toMatchObject({ member: aliceId, kid: recovered.kid });
    expect(after.kid).not.toBe(aliceId);

    // Her vote signed by the now revoked key still counts, hers and Bob's delegated to her.
    type Shown = { provisional?: { Y: number; O: number }; weight: { cast: string; chain: string[]; choice?: string } };
    const voted = json<Shown>(await alice('show', votedBefore, '--json'));
    expect(voted.weight).toMatchObject({ cast: 'direct', choice: 'support' });
    expect(voted.provisional).toMatchObject({ Y: 2, O: 0 });
    expect(json<Shown>(await bob('show', votedBefore, '--json')).weight).toMatchObject({ cast: 'delegated', chain: [aliceId], choice: 'support' });
    // Her delegation signed by the revoked key still carries her weight to Bob when he votes.
    json(await bob('vote', delegatedBefore, 'object', '--reason', 'Too deep for children', '--json'));
    const delegated = json<Shown>(await alice('show', delegatedBefore, '--json'));
    expect(delegated.weight).toMatchObject({ cast: 'delegated', chain: [bobId], choice: 'object' });
    expect(delegated.provisional).toMatchObject({ Y: 0, O: 2 });

    const next = json<{ proposal: string }>(await alice('propose', 'motion', '--circle', circle, '--title', 'Plant trees', '--closes-in', '5m', '--json')).proposal;
    json(await alice('vote', next, 'support', '--json'));
    const weight = json<{ weight: { cast: string; chain: string[] } }>(await bob('show', next, '--json')).weight;
    expect(weight).toMatchObject({ cast: 'delegated', chain: [aliceId] });
    const keys = json<{ keys: { kid: string; revokedAt?: string }[] }>(await alice('key', 'list', '--json')).keys;
    expect(keys.find((k) => k.kid === before)?.revokedAt).toBeDefined();

    // The revoked key signs nothing any more: a profile still holding it is refused.
    const stale = await archipelWith({ XDG_CONFIG_HOME: join(home, 'stale') }, 'init', '--import', staleProfile, '--json');
    expect(stale.status).toBe(0);
    const refused = await archipelWith({ XDG_CONFIG_HOME: join(home, 'stale') }, 'vote', next, 'no', '--json');
    expect(refused.status).toBe(4);
    expect(JSON.parse(refused.stderr).error.code).toBe('KEY_REVOKED');

    // A second device: a key added by this one, its profile imported there.
    const laptop = { XDG_CONFIG_HOME: join(home, 'laptop') };
    const device = join(home, 'laptop-profile.json');
    const added = json<{ kid: string }>(await alice('key', 'add', '--out', device, '--json'));
    expect(statSync(device).mode & 0o777).toBe(0o600);
    expect((await archipelWith(laptop, 'init', '--import', device)).status).toBe(0);
    expect(json<{ kid: string; member: string }>(await archipelWith(laptop, 'whoami', '--json'))).toMatchObject({ kid: added.kid, member: aliceId });
    expect((await archipelWith(laptop, 'vote', next, 'abstain')).status).toBe(0);
    expect(json<{ weight: { cast: string; choice: string } }>(await bob('show', next, '--json')).weight).toMatchObject({ cast: 'delegated', choice: 'abstain' });
  });

  it('archipel verify accepts the circle log and the registry', async () => {
    await eventually(async () => (await alice('verify', '--instance', t.url, '--circle', circle)).status === 0, 15_000, 'verify to pass');
    const run = await alice('verify', '--instance', t.url, '--circle', circle);
    expect(run.stdout).toMatch(/1 tally result recomputed and equal|[0-9]+ tally results recomputed and equal/);
  });
});
