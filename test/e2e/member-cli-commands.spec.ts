// The member commands of the shipped CLI that the session test does not run, through the built
// `archipel` as a subprocess (one config directory per member) against the real service, worker,
// PostgreSQL and Redis: circle show (with its witnesses' cosignatures), every kind of proposal,
// objections with and without a reason, topic- and proposal-scoped delegations and their
// revocation, where a circle was forked to, an adopted decision's receipts up to the root, paging
// through proposals, the exit status of an instance that fails, and --help for every command.
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ed25519 } from '@noble/curves/ed25519';
import { cosign, splitNote } from '../../src/core/formats/cosignature';
import { parseAddCheckpoint } from '../../src/core/formats/witness-protocol';
import { buildProgram, runCli } from '../../src/cli/program';
import { CliContext } from '../../src/cli/context';
import { eventually, startTestApp, TestApp } from '../support/app';
import { archipelWith, CliRun } from '../support/cli';

/** A C2SP witness that cosigns whatever it is sent, once `cosigning` is on (503 before). */
class Witness {
  readonly name = 'w1.test';
  private readonly seed = ed25519.utils.randomPrivateKey();
  readonly publicKeyHex = Buffer.from(ed25519.getPublicKey(this.seed)).toString('hex');
  cosigning = false;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (!this.cosigning || req.method !== 'POST' || req.url !== '/add-checkpoint') {
          res.writeHead(503).end('not now\n');
          return;
        }
        const { text } = splitNote(parseAddCheckpoint(body).note);
        const line = cosign(text, this.name, ed25519.getPublicKey(this.seed), Math.floor(Date.now() / 1000), (m) => ed25519.sign(m, this.seed));
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(line);
      });
    });
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((done) => this.server.close(done));
  }
}

type Proposal = { id: string; kind: string; status: string; title: string; openedSeq: number; result?: { outcome: string } };

describe('the archipel CLI commands a member runs less often', () => {
  let t: TestApp;
  const witness = new Witness();
  const home = mkdtempSync(join(tmpdir(), 'archipel-cli-commands-'));
  const envOf = (who: string, lang = 'en_GB.UTF-8') => ({ XDG_CONFIG_HOME: join(home, who), LANG: lang });
  const alice = (...args: string[]): Promise<CliRun> => archipelWith(envOf('alice'), ...args);
  const bob = (...args: string[]): Promise<CliRun> => archipelWith(envOf('bob', 'fr_FR.UTF-8'), ...args);
  const carol = (...args: string[]): Promise<CliRun> => archipelWith(envOf('carol'), ...args);
  const ok = (run: CliRun): CliRun => {
    if (run.status !== 0) throw new Error(`exit ${run.status}: ${run.stderr}${run.stdout}`);
    return run;
  };
  const json = <T = Record<string, unknown>>(run: CliRun): T => JSON.parse(ok(run).stdout) as T;
  const opened = async (run: Promise<CliRun>): Promise<string> => json<{ proposal: string }>(await run).proposal;
  const listed = async (circle: string, ...args: string[]): Promise<Proposal[]> =>
    json<{ items: Proposal[] }>(await alice('proposals', '--circle', circle, '--json', ...args)).items;

  let aliceId: string;
  let bobId: string;
  let carolId: string;
  let aliceProfile: string;
  let federation: string;
  let garden: string;
  let beds: string;
  /** Opened in Beds at the start, so that they close while the other tests run. */
  let raised: string;
  let concrete: string;

  beforeAll(async () => {
    await witness.start();
    t = await startTestApp({
      worker: true,
      // The witness refuses at first: its 503s are logged as warnings.
      env: { WITNESS_POLICY: `witness ${witness.name} ${witness.publicKeyHex} ${witness.url};quorum ${witness.name}`, WITNESS_INTERVAL_SECONDS: '1', LOG_LEVEL: 'error' },
    });
    const a = json<{ member: string; file: string }>(await alice('init', '--instance', t.url, '--name', 'Alice', '--json'));
    aliceId = a.member;
    aliceProfile = a.file;
    bobId = json<{ member: string }>(await bob('init', '--instance', t.url, '--name', 'Bob', '--json')).member;
    carolId = json<{ member: string }>(await carol('init', '--instance', t.url, '--name', 'Carol', '--json')).member;
    // Federation (amendment) > Garden (do-ocracy: Alice, Bob, Carol) > Beds (unanimity: Alice).
    federation = json<{ circle: string }>(await alice('circle', 'create', 'Federation', '--json')).circle;
    garden = json<{ circle: string }>(await alice('circle', 'create', 'Garden', '--parent', federation, '--regime', 'do-ocracy', '--json')).circle;
    beds = json<{ circle: string }>(await alice('circle', 'create', 'Beds', '--parent', garden, '--regime', 'unanimity', '--json')).circle;
    for (const [member, join] of [
      [bobId, bob],
      [carolId, carol],
    ] as const) {
      ok(await alice('circle', 'invite', garden, member));
      ok(await join('circle', 'join', garden));
    }
    raised = await opened(alice('propose', 'motion', '--circle', beds, '--title', 'Raised beds', '--closes-in', '40s', '--json'));
    concrete = await opened(alice('propose', 'motion', '--circle', beds, '--title', 'Concrete beds', '--closes-in', '40s', '--json'));
    ok(await alice('vote', raised, 'yes'));
    ok(await alice('vote', concrete, 'no'));
  });

  afterAll(async () => {
    await t.close();
    await witness.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('circle show: state, and whether witnesses cosigned its checkpoint', async () => {
    const before = await alice('circle', 'show', garden);
    expect(ok(before).stdout).toMatch(new RegExp(`^Garden \\(${garden}\\)\\n`));
    expect(before.stdout).toContain(`parent     ${federation}`);
    expect(before.stdout).toContain('regime     do-ocracy (defaults)');
    expect(before.stdout).toContain('members    3');
    expect(before.stdout).toContain(`children   ${beds}`);
    expect(before.stdout).toContain('witnesses  not cosigned');
    expect(json<{ cosigned: unknown; members: string[] }>(await alice('circle', 'show', garden, '--json'))).toMatchObject({ cosigned: null, members: expect.arrayContaining([aliceId, bobId, carolId]) });
    expect((await bob('circle', 'show', garden)).stdout).toContain('témoins    non cosigné');

    witness.cosigning = true;
    const cosigned = await eventually(async () => {
      const shown = json<{ cosigned: { witnesses: string[]; size: number } | null; size: number }>(await alice('circle', 'show', garden, '--json'));
      return shown.cosigned !== null && shown.cosigned.size === shown.size ? shown : null;
    }, 60_000, 'a cosigned checkpoint of the whole log');
    expect(cosigned.cosigned?.witnesses).toEqual([witness.name]);
    expect((await alice('circle', 'show', garden)).stdout).toContain(`witnesses  cosigned by 1 witness(es): ${witness.name}`);
    expect((await bob('circle', 'show', garden)).stdout).toContain(`cosigné par 1 témoin(s) : ${witness.name}`);
  });

  it('opens an amendment, a regime change and a removal, each listed', async () => {
    const motion = await opened(alice('propose', 'motion', '--circle', federation, '--title', 'Seeds', '--text', 'Buy tomato seeds.', '--closes-in', '10m', '--json'));
    const amendment = await alice('propose', 'amendment', '--motion', motion, '--find', 'tomato', '--replace', 'bean', '--title', 'Beans', '--json');
    const amendmentId = json<{ proposal: string; regime: string }>(amendment).proposal;
    expect(amendment.stderr).toBe('');
    const amendmentText = await alice('propose', 'amendment', '--motion', motion, '--find', 'seeds', '--replace', 'seedlings', '--title', 'Seedlings');
    expect(ok(amendmentText).stderr).toContain(`Circle ${federation} decides under amendment`);
    const notThere = await alice('propose', 'amendment', '--motion', motion, '--find', 'potato', '--replace', 'leek', '--title', 'Leeks', '--json');
    expect(notThere.status).toBe(4);
    expect(JSON.parse(notThere.stderr).error.code).toBe('AMENDMENT_FIND_MISMATCH');
    expect((await listed(federation, '--kind', 'amendment')).map((p) => p.id)).toContain(amendmentId);
    expect(json<{ amendments: { id: string; find: string }[] }>(await alice('show', motion, '--json')).amendments).toContainEqual(expect.objectContaining({ id: amendmentId, find: 'tomato' }));

    const regime = await alice('propose', 'regime', '--circle', garden, '--regime', 'unanimity', '--param', 'unanimityQuorum=1/2', '--title', 'Agree on all', '--closes-in', '10m');
    expect(ok(regime).stderr).toContain('Circle Garden decides under do-ocracy (defaults).');
    const regimeId = /^Proposal (\S+) opened in /.exec(regime.stdout)?.[1] as string;
    const removal = await opened(alice('propose', 'membership', '--circle', garden, '--member', carolId, '--title', 'Carol moves away', '--closes-in', '10m', '--json'));
    const kinds = new Map((await listed(garden, '--open')).map((p) => [p.id, p.kind]));
    expect(kinds.get(regimeId)).toBe('regime');
    expect(kinds.get(removal)).toBe('membership');
    expect(json<{ proposed: { regime: string; params: Record<string, string> } }>(await alice('show', regimeId, '--json')).proposed).toMatchObject({ regime: 'unanimity', params: { unanimityQuorum: '1/2' } });
  });

  it('an objection carries its reason; without one the instance refuses it (exit 4)', async () => {
    const motion = await opened(alice('propose', 'motion', '--circle', garden, '--title', 'Pave the path', '--closes-in', '10m', '--json'));
    const refused = await carol('vote', motion, 'object');
    expect(refused.status).toBe(4);
    expect(refused.stderr).toMatch(/^error REASON_REQUIRED: /);
    const asJson = await carol('vote', motion, 'object', '--json');
    expect(asJson.status).toBe(4);
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ code: 'REASON_REQUIRED', status: 422, field: 'body.reason' });
    ok(await carol('vote', motion, 'object', '--reason', 'The roots need water'));
    expect(json<{ provisional: { O: number } }>(await alice('show', motion, '--json')).provisional.O).toBe(1);
    expect(json<{ weight: { cast: string; choice: string } }>(await carol('show', motion, '--json')).weight).toMatchObject({ cast: 'direct', choice: 'object' });
  });

  it('delegates on a topic and on one proposal, and revokes each', async () => {
    const budget = await opened(alice('propose', 'motion', '--circle', garden, '--title', 'Spend 40 €', '--topic', 'budget', '--closes-in', '10m', '--json'));
    ok(await alice('vote', budget, 'support'));
    ok(await carol('vote', budget, 'support'));
    const weight = async () => json<{ weight: { cast: string; chain: string[]; choice?: string } }>(await bob('show', budget, '--json')).weight;
    expect((await weight()).cast).toBe('absent');

    const topic = await bob('delegate', '--to', aliceId, '--circle', garden, '--topic', 'budget');
    expect(ok(topic).stdout).toContain('(topic budget)');
    expect(await weight()).toMatchObject({ cast: 'delegated', chain: [aliceId], choice: 'support' });

    const one = json<{ scope: unknown }>(await bob('delegate', '--to', carolId, '--proposal', budget, '--json'));
    expect(one.scope).toEqual({ proposal: budget });
    expect(await weight()).toMatchObject({ cast: 'delegated', chain: [carolId] });

    ok(await bob('revoke-delegation', '--proposal', budget));
    expect(await weight()).toMatchObject({ cast: 'delegated', chain: [aliceId] });
    const notThere = await bob('revoke-delegation', '--proposal', budget, '--json');
    expect(notThere.status).toBe(4);
    expect(JSON.parse(notThere.stderr).error.code).toBe('NO_SUCH_DELEGATION');
    ok(await bob('revoke-delegation', '--circle', garden, '--topic', 'budget'));
    expect((await weight()).cast).toBe('absent');
    expect((await bob('delegate', '--to', aliceId, '--topic', 'budget')).status).toBe(2);
  });

  it('a split forks the circle: circle forks shows where to, and the fork is carried up', async () => {
    const split = await opened(alice('propose', 'split', '--circle', garden, '--name', 'Garden (east)', '--title', 'Two gardens', '--closes-in', '30s', '--json'));
    ok(await bob('vote', split, 'leave'));
    ok(await carol('vote', split, 'leave'));
    expect((await listed(garden, '--kind', 'split')).map((p) => p.id)).toEqual([split]);
    expect((await alice('circle', 'forks', garden)).stdout).toBe(`No circle was forked out of Garden (${garden}).\n`);

    const forks = await eventually(async () => {
      const f = json<{ items: { circle: string; name: string; proposal: string; atSeq: number; members: string[]; title: string; you: boolean }[] }>(await bob('circle', 'forks', garden, '--json'));
      return f.items.length > 0 ? f.items : null;
    }, 90_000, 'the fork');
    expect(forks).toEqual([expect.objectContaining({ name: 'Garden (east)', proposal: split, title: 'Two gardens', you: true })]);
    expect([...forks[0].members].sort()).toEqual([bobId, carolId].sort());
    const east = forks[0].circle;
    const text = ok(await alice('circle', 'forks', garden)).stdout;
    expect(text).toContain(`Garden (${garden}) was forked 1 time(s):\n  Garden (east) (${east})\n    split off at seq ${forks[0].atSeq} by proposal ${split} "Two gardens"\n`);
    expect(text).toMatch(/members: (Bob, Carol|Carol, Bob)\n?$/);
    expect((await bob('circle', 'forks', garden)).stdout).toContain('Bob (vous)');
    expect((await alice('circle', 'show', east)).stdout).toContain(`forked from ${garden} at seq ${forks[0].atSeq}`);

    // The forked tally is carried to the root like an adopted decision (SPEC §8).
    const carried = await eventually(async () => {
      const r = json<{ complete: boolean; outcome: string; receipts: { circle: string; receipt: unknown }[] }>(await alice('receipts', split, '--json'));
      return r.complete ? r : null;
    }, 60_000, "the split's receipt in the federation");
    expect(carried).toMatchObject({ outcome: 'forked', receipts: [{ circle: federation, receipt: expect.objectContaining({ seq: expect.any(Number) }) }] });
  });

  it('receipts of a decision adopted in a grandchild, up to the root; none for an open or rejected one', async () => {
    const [motion, rejected] = [raised, concrete];
    const open = await opened(alice('propose', 'motion', '--circle', federation, '--title', 'Root call', '--closes-in', '10m', '--json'));
    expect((await alice('receipts', open)).stdout).toBe('Not decided yet: receipts follow an adopted tally (SPEC §8).\n');
    expect(json(await alice('receipts', open, '--json'))).toMatchObject({ status: 'amending', outcome: null, complete: false, receipts: [] });

    type Receipts = { complete: boolean; outcome: string | null; receipts: { circle: string; name: string; receipt: { seq: number; leaf: string; recordedAt: string } | null }[] };
    const done = await eventually(async () => {
      const r = json<Receipts>(await alice('receipts', motion, '--json'));
      return r.complete ? r : null;
    }, 90_000, 'the receipts up to the root');
    expect(done.outcome).toBe('adopted');
    expect(done.receipts.map((s) => [s.circle, s.name])).toEqual([
      [garden, 'Garden'],
      [federation, 'Federation'],
    ]);
    // Each names the child.decision entry in that ancestor's log.
    for (const step of done.receipts) {
      const log = await (await fetch(`${t.url}/api/v1/circles/${step.circle}/log?from=${step.receipt?.seq}`)).text();
      const entry = JSON.parse(log.split('\n')[0]) as { jws: string };
      const payload = JSON.parse(Buffer.from(entry.jws.split('.')[1], 'base64url').toString()) as { type: string; body: { proposal: string; child: string } };
      expect(payload).toMatchObject({ type: 'child.decision', body: { proposal: motion, child: beds } });
    }
    const text = ok(await alice('receipts', motion)).stdout;
    expect(text).toContain(`Raised beds (motion, ${motion}): adopted in Beds (${beds})\n`);
    expect(text).toMatch(new RegExp(`  Garden \\(${garden}\\)\\s+seq ${done.receipts[0].receipt?.seq}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+leaf ${done.receipts[0].receipt?.leaf}\\n`));
    expect(text).toMatch(/Carried up to the root\.\n$/);
    expect((await bob('receipts', motion)).stdout).toMatch(/Reporté jusqu’à la racine\.\n$/);
    const shown = await alice('show', motion);
    expect(shown.stdout).toContain(`  receipts   Garden (${garden}): seq ${done.receipts[0].receipt?.seq}, `);
    expect(shown.stdout).toContain(`             Federation (${federation}): seq ${done.receipts[1].receipt?.seq}, `);
    expect(json<{ receipts: unknown[] }>(await alice('show', motion, '--json')).receipts).toEqual(done.receipts);

    await eventually(async () => json<{ status: string }>(await alice('show', rejected, '--json')).status === 'closed', 15_000, 'the rejected tally');
    const none = json<Receipts>(await alice('receipts', rejected, '--json'));
    expect(none).toMatchObject({ outcome: 'rejected', complete: false, receipts: [] });
    expect((await alice('receipts', rejected)).stdout).toContain('only adopted decisions and forks are carried up');
  });

  it('pages through proposals with --limit, --after and --all', async () => {
    for (const title of ['One', 'Two', 'Three']) await opened(alice('propose', 'motion', '--circle', beds, '--title', title, '--closes-in', '10m', '--json'));
    const everything = await listed(beds, '--limit', '100');
    expect(everything).toHaveLength(5);
    const seqs = everything.map((p) => p.openedSeq);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));

    const first = json<{ items: Proposal[]; next: string | null }>(await alice('proposals', '--circle', beds, '--limit', '2', '--json'));
    expect(first.items.map((p) => p.id)).toEqual(everything.slice(0, 2).map((p) => p.id));
    expect(first.next).not.toBeNull();
    const second = json<{ items: Proposal[]; next: string | null }>(await alice('proposals', '--circle', beds, '--limit', '2', '--after', first.next as string, '--json'));
    expect(second.items.map((p) => p.id)).toEqual(everything.slice(2, 4).map((p) => p.id));
    const all = json<{ items: Proposal[]; next: string | null; more: unknown[] }>(await alice('proposals', '--circle', beds, '--limit', '2', '--all', '--json'));
    expect(all.items.map((p) => p.id)).toEqual(everything.map((p) => p.id));
    expect(all).toMatchObject({ next: null, more: [] });

    const text = ok(await alice('proposals', '--circle', beds, '--limit', '2')).stdout;
    expect(text.split('\n').filter((l) => /^\S{22} /.test(l))).toHaveLength(2);
    expect(text).toContain(`More in ${beds}: archipel proposals --circle ${beds} --limit 2 --after ${first.next}\n`);
    expect(json<{ items: Proposal[] }>(await alice('proposals', '--circle', beds, '--status', 'closed', '--json')).items.map((p) => p.title).sort()).toEqual(['Concrete beds', 'Raised beds']);

    // Every circle she is in, every page: Federation, Garden and Beds.
    const mine = json<{ items: Proposal[]; more: unknown[] }>(await alice('proposals', '--limit', '1', '--all', '--json'));
    expect(mine.items.length).toBeGreaterThanOrEqual(everything.length + 6);
    expect(mine.more).toEqual([]);

    for (const bad of [['--after', first.next as string], ['--circle', beds, '--open', '--after', '3'], ['--limit', '0'], ['--limit', '101'], ['--status', 'pending']]) {
      const run = await alice('proposals', ...bad);
      expect({ bad, status: run.status }).toEqual({ bad, status: 2 });
    }
    const badCursor = await alice('proposals', '--circle', beds, '--after', 'x', '--json');
    expect(badCursor.status).toBe(4);
    expect(JSON.parse(badCursor.stderr).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'after' });
  });

  it('an instance that fails (5xx) gives exit status 6 and says to try again later', async () => {
    let answer: { status: number; body: string; type: string } = { status: 500, body: JSON.stringify({ code: 'INTERNAL', message: 'the database is down' }), type: 'application/json' };
    const broken = createServer((_req, res) => res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body));
    await new Promise<void>((done) => broken.listen(0, '127.0.0.1', done));
    try {
      const dir = join(home, 'broken', 'archipel', 'profiles');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const profile = { ...JSON.parse(readFileSync(aliceProfile, 'utf8')), profile: 'broken', instance: `http://127.0.0.1:${(broken.address() as AddressInfo).port}` };
      writeFileSync(join(dir, 'broken.json'), JSON.stringify(profile), { mode: 0o600 });
      const run = (...args: string[]) => archipelWith({ XDG_CONFIG_HOME: join(home, 'broken'), LANG: 'en_GB.UTF-8' }, ...args);

      const shown = await run('circle', 'show', garden);
      expect(shown).toMatchObject({ status: 6, stdout: '' });
      expect(shown.stderr).toBe('the instance failed (500 INTERNAL: the database is down); try again later\n');
      const asJson = await run('proposals', '--circle', garden, '--json');
      expect(asJson.status).toBe(6);
      expect(JSON.parse(asJson.stderr).error).toEqual({ code: 'INTERNAL', message: 'the database is down', status: 500 });
      answer = { status: 502, body: '<html>Bad gateway</html>', type: 'text/html' };
      const gateway = await run('receipts', 'q3yW2ZbP0xq8fYc1mS9kAg', '--lang', 'fr');
      expect(gateway.status).toBe(6);
      expect(gateway.stderr).toBe("l'instance a échoué (502 INSTANCE_ERROR : HTTP 502) ; réessayez plus tard\n");
    } finally {
      await new Promise((done) => broken.close(done));
    }
  });

  it('--help of every command and subcommand exits 0 and shows an example of it', async () => {
    const program = buildProgram(new CliContext({ stdout: { write: () => true }, stderr: { write: () => true } }));
    const paths: string[][] = [[]];
    const walk = (cmd: Command, path: string[]): void => {
      for (const sub of cmd.commands) {
        paths.push([...path, sub.name()]);
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(program, []);
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['circle forks', 'receipts', 'proposals', 'propose split', 'revoke-delegation']));
    // In this process (the program the built CLI runs, without starting Node forty times)…
    const failures: string[] = [];
    for (const path of paths) {
      let out = '';
      const status = await runCli([...path, '--help'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: { LANG: 'en_GB.UTF-8' }, configDir: join(home, 'help') });
      const example = new RegExp(`^ +archipel ${path.join(' ')}`, 'm');
      if (status !== 0 || !example.test(out)) failures.push(`${path.join(' ') || '(program)'}: exit ${status}${example.test(out) ? '' : ', no example'}`);
    }
    expect(failures).toEqual([]);
    // …and through the built CLI for the commands this file added.
    for (const path of [['circle', 'forks'], ['receipts'], ['proposals']]) {
      const run = await archipelWith({ XDG_CONFIG_HOME: join(home, 'help') }, ...path, '--help');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^ +archipel ${path.join(' ')} `, 'm'));
    }
  });
});
