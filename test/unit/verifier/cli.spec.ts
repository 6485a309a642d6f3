// `archipel verify` end to end, in process: files in a temporary directory,
// and an instance served over HTTP on localhost.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli } from '../../../src/cli/archipel';
import { instanceFromNoteKey } from '../../../src/core/verify/verify-log';
import { buildWorld, checkpointOf, consistencyPathOf, entryOf, INSTANCE_NAME, lineOf, makeInstance, rechain } from './log-builder';

jest.setTimeout(60_000);

const world = buildWorld();
const origin = `${INSTANCE_NAME}/circles/${world.circle}`;
let dir: string;

const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const jsonl = (lines: string[]): string => `${lines.join('\n')}\n`;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    workerFile: join(__dirname, 'ts-worker.js'),
  });
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archipel-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('archipel verify, on files', () => {
  const args = (overrides: Record<string, string> = {}): string[] => {
    const opts: Record<string, string> = {
      '--log': file('circle.jsonl', jsonl(world.log)),
      '--registry': file('registry.jsonl', jsonl(world.registry)),
      '--checkpoint': file('checkpoint.txt', world.checkpoint),
      '--key': world.instance.noteKey,
      '--threads': '1',
      ...overrides,
    };
    return ['verify', ...Object.entries(opts).flat()];
  };

  it('verifies a valid log and prints a summary', async () => {
    const { code, out, err } = await run(args());
    expect(err).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(out).toContain(`OK circle ${world.circle}: 13 entries`);
    expect(out).toContain('checkpoint size 13');
    expect(out).toContain('OK registry: 4 entries (4 members)');
  });

  it('verifies the registry checkpoint and an older checkpoint too, on worker threads', async () => {
    const { code, out } = await run(
      args({
        '--registry-checkpoint': file('registry-checkpoint.txt', world.registryCheckpoint),
        '--old-checkpoint': file('old.txt', checkpointOf(world.instance, origin, world.log, 6)),
        '--threads': '2',
      }),
    );
    expect(code).toBe(EXIT.OK);
    expect(out).toContain('registry: 4 entries (4 members), root');
    expect(out).toContain('checkpoint size 4');
    expect(out).toContain('OK older checkpoint size 6 is a prefix of the log');
    expect(out).toContain('with 2 threads');
  });

  it('accepts a log longer than its checkpoint, and says so', async () => {
    const { code, out } = await run(args({ '--checkpoint': file('short.txt', checkpointOf(world.instance, origin, world.log, 10)) }));
    expect(code).toBe(EXIT.OK);
    expect(out).toContain('the log has 3 later entries the checkpoint does not cover');
  });

  it('reports a tampered entry with its seq, on stderr, and exits 1', async () => {
    const tampered = world.log.map((l, i) => (i === 5 ? l.replace('"seq":5', '"seq":7') : l));
    for (const threads of ['1', '2']) {
      const { code, out, err } = await run(args({ '--log': file('bad.jsonl', jsonl(tampered)), '--threads': threads }));
      expect(code).toBe(EXIT.FAILED);
      expect(out).toBe('');
      expect(err).toBe('FAIL seq 5: seq is 7, expected 5 [BAD_SEQ]\n');
    }
  });

  it('reports a tampered registry', async () => {
    const registry = world.registry.slice();
    registry[2] = registry[2].replace('"seq":2', '"seq":3');
    const { code, err } = await run(args({ '--registry': file('bad-registry.jsonl', jsonl(registry)) }));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL seq 2: registry log: seq is 3, expected 2 \[BAD_SEQ\]/);
  });

  it('reports a checkpoint for another root', async () => {
    const other = rechain(world.log.map((l, i) => (i === 12 ? lineOf({ ...entryOf(l), recordedAt: '2027-01-01T00:00:00.000Z' }).line : l)));
    const { code, err } = await run(args({ '--checkpoint': file('other.txt', checkpointOf(world.instance, origin, other)) }));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL checkpoint: .*\[ROOT_MISMATCH\]\n$/);
  });

  it('reports a checkpoint signed by another key', async () => {
    const impostor = makeInstance();
    const { code, err } = await run(args({ '--checkpoint': file('impostor.txt', checkpointOf(impostor, origin, world.log)) }));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL checkpoint: .*\[BAD_CHECKPOINT\]/);
  });

  it('reports an older checkpoint of another history', async () => {
    const forked = rechain(world.log.slice(0, 6).map((l, i) => (i === 5 ? lineOf({ ...entryOf(l), recordedAt: '2026-03-01T12:00:15.500Z' }).line : l)));
    const { code, err } = await run(args({ '--old-checkpoint': file('forked.txt', checkpointOf(world.instance, origin, forked)) }));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL old checkpoint: .*\[INCONSISTENT\]/);
  });

  it('exits 3 when a file cannot be read', async () => {
    const { code, err } = await run(args({ '--log': join(dir, 'missing.jsonl') }));
    expect(code).toBe(EXIT.UNREADABLE);
    expect(err).toContain('cannot read');
  });
});

describe('archipel usage', () => {
  it.each([
    ['no command', []],
    ['no options', ['verify']],
    ['a file mode without --key', ['verify', '--log', 'a', '--registry', 'b', '--checkpoint', 'c']],
    ['--instance without --circle', ['verify', '--instance', 'http://127.0.0.1:1']],
    ['--instance with files', ['verify', '--instance', 'http://127.0.0.1:1', '--circle', 'x', '--log', 'a']],
    ['a bad thread count', ['verify', '--threads', '0']],
    ['an unknown option', ['verify', '--frobnicate']],
    ['a bad note key', ['verify', '--log', 'a', '--registry', 'b', '--checkpoint', 'c', '--key', 'nope']],
  ])('exits 2 on %s', async (_name, argv) => {
    const { code, err } = await run(argv);
    expect(code).toBe(EXIT.USAGE);
    expect(err).not.toBe('');
  });

  it('prints help and exits 0', async () => {
    const { code, out } = await run(['verify', '--help']);
    expect(code).toBe(EXIT.OK);
    expect(out).toContain('--instance <url>');
    expect(out).toContain('Exit status');
  });
});

describe('archipel verify --instance', () => {
  type Routes = Record<string, () => { status?: number; body: string }>;
  let server: Server;
  let base: string;
  let routes: Routes;
  const id = instanceFromNoteKey(world.instance.noteKey);
  const standard = (): Routes => ({
    '/.well-known/archipel.json': () => ({
      body: JSON.stringify({ name: INSTANCE_NAME, version: '0.1.0', kid: id.kid, jwk: id.jwk, noteKey: world.instance.noteKey }),
    }),
    '/api/v1/registry/log': () => ({ body: jsonl(world.registry) }),
    '/api/v1/registry/checkpoint': () => ({ body: world.registryCheckpoint }),
    [`/api/v1/circles/${world.circle}/log`]: () => ({ body: jsonl(world.log) }),
    [`/api/v1/circles/${world.circle}/checkpoint`]: () => ({ body: world.checkpoint }),
    [`/api/v1/circles/${world.circle}/proof/consistency`]: () => ({
      body: JSON.stringify({ from: 6, to: 13, path: consistencyPathOf(world.log, 6, 13) }),
    }),
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      const answer = route ? route() : { status: 404, body: '{"code":"NOT_FOUND"}' };
      res.writeHead(answer.status ?? 200).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    routes = standard();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const instanceArgs = (...extra: string[]): string[] => ['verify', '--instance', base, '--circle', world.circle, '--threads', '1', ...extra];

  it('fetches and verifies everything, registry checkpoint included', async () => {
    const { code, out, err } = await run(instanceArgs());
    expect(err).toBe('');
    expect(code).toBe(EXIT.OK);
    expect(out).toContain(`OK circle ${world.circle}: 13 entries`);
    expect(out).toContain('checkpoint size 4');
  });

  it("checks an older checkpoint by recomputation and by the instance's consistency proof", async () => {
    const old = file('old-instance.txt', checkpointOf(world.instance, origin, world.log, 6));
    const { code, out } = await run(instanceArgs('--old-checkpoint', old));
    expect(code).toBe(EXIT.OK);
    expect(out).toContain("and the instance's consistency proof verifies");
  });

  it('refuses a bad consistency proof', async () => {
    routes[`/api/v1/circles/${world.circle}/proof/consistency`] = () => ({
      body: JSON.stringify({ from: 6, to: 13, path: consistencyPathOf(world.log, 5, 13) }),
    });
    const old = file('old-instance.txt', checkpointOf(world.instance, origin, world.log, 6));
    const { code, err } = await run(instanceArgs('--old-checkpoint', old));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL old checkpoint: .*\[BAD_PROOF\]/);
  });

  it('refuses published keys that do not match the note key', async () => {
    const other = makeInstance().signer;
    routes['/.well-known/archipel.json'] = () => ({
      body: JSON.stringify({ name: INSTANCE_NAME, version: '0.1.0', kid: other.id, jwk: other.publicJwk, noteKey: world.instance.noteKey }),
    });
    const { code, err } = await run(instanceArgs());
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL instance: .*\[WRONG_KEY\]/);
  });

  it('refuses an instance whose note key is not the one pinned with --key', async () => {
    const { code, err } = await run(instanceArgs('--key', makeInstance().noteKey));
    expect(code).toBe(EXIT.FAILED);
    expect(err).toMatch(/^FAIL instance: .*\[WRONG_KEY\]/);
  });

  it('reports a tampered log served by the instance', async () => {
    routes[`/api/v1/circles/${world.circle}/log`] = () => ({ body: jsonl(world.log.filter((_, i) => i !== 3)) });
    const { code, err } = await run(instanceArgs());
    expect(code).toBe(EXIT.FAILED);
    expect(err).toBe('FAIL seq 3: seq is 4, expected 3 [BAD_SEQ]\n');
  });

  it('exits 3 when the circle is unknown', async () => {
    const { code, err } = await run(['verify', '--instance', base, '--circle', 'AAAAAAAAAAAAAAAAAAAAAQ', '--threads', '1']);
    expect(code).toBe(EXIT.UNREADABLE);
    expect(err).toContain('HTTP 404');
  });
});
