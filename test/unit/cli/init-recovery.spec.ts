// `archipel init` registers with a recovery key, and falls back to none only on the refusal an
// instance from before SPEC §11 gives (its strict body knows no `recovery`); any other refusal is
// shown and nothing is written. `archipel key recovery` has no --words-file: a recovery key never
// signs member.recovery.set (docs/cli.md).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli } from '../../../src/cli/archipel';
import { ApiError } from '../../../src/cli/errors';
import { refusesRecoveryMember } from '../../../src/cli/commands/member';

/** A stand-in instance: answers each POST /api/v1/statements with the next answer, records the payloads. */
async function instance(answers: Array<{ status: number; body: unknown }>): Promise<{ url: string; posted: Array<Record<string, unknown>>; server: Server }> {
  const posted: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const { jws } = JSON.parse(text) as { jws: string };
      posted.push(JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString()) as Record<string, unknown>);
      const answer = answers[posted.length - 1] ?? { status: 500, body: { code: 'INTERNAL', message: 'no more answers' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posted, server };
}

const appended = { status: 201, body: { circle: 'registry', seq: 0, leaf: 'x' } };
const olderInstance = { status: 422, body: { code: 'INVALID_STATEMENT', message: 'unknown member', field: 'body.recovery' } };

describe('archipel init and the recovery key', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'archipel-init-'))));
  afterEach(() => {
    server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function init(url: string): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(['init', '--instance', url, '--name', 'Alice', '--json'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
      configDir: dir,
    });
    return { code, out, err };
  }

  it('registers with a recovery key', async () => {
    const fake = await instance([appended]);
    server = fake.server;
    const r = await init(fake.url);
    expect(r.code).toBe(EXIT.OK);
    expect(JSON.parse(r.out).recovery.words.split(' ')).toHaveLength(24);
    expect(fake.posted).toHaveLength(1);
    expect((fake.posted[0].body as { recovery?: unknown }).recovery).toBeDefined();
    expect(existsSync(JSON.parse(r.out).file)).toBe(true);
    expect(readdirSync(dir, { recursive: true })).toContain(join('profiles', `${JSON.parse(r.out).profile}.json`));
  });

  it('registers without one on an instance from before SPEC §11, and says so', async () => {
    const fake = await instance([olderInstance, appended]);
    server = fake.server;
    const r = await init(fake.url);
    expect(r.code).toBe(EXIT.OK);
    expect(JSON.parse(r.out)).toMatchObject({ recovery: null });
    expect(fake.posted.map((p) => (p.body as { recovery?: unknown }).recovery === undefined)).toEqual([false, true]);
  });

  it.each([
    ['a recovery key already in use', { status: 409, body: { code: 'KEY_IN_USE', message: 'Key … is already a key of a member', field: 'body.recovery' } }],
    ['a recovery key the instance finds malformed', { status: 422, body: { code: 'INVALID_STATEMENT', message: 'Invalid input', field: 'body.recovery.x' } }],
    ['another statement error on body.recovery', { status: 422, body: { code: 'INVALID_STATEMENT', message: 'must be an OKP Ed25519 key', field: 'body.recovery' } }],
  ])('shows %s, registers nothing without it, and writes no profile', async (_what, refusal) => {
    const fake = await instance([refusal, appended]);
    server = fake.server;
    const r = await init(fake.url);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(JSON.parse(r.err).error.code).toBe(refusal.body.code);
    expect(fake.posted).toHaveLength(1);
    expect(readdirSync(dir, { recursive: true })).toEqual([]);
  });

  it('takes exactly the older refusal for one', () => {
    expect(refusesRecoveryMember(new ApiError(422, 'INVALID_STATEMENT', 'unknown member', 'body.recovery'))).toBe(true);
    expect(refusesRecoveryMember(new ApiError(422, 'INVALID_STATEMENT', 'unknown member', 'body.name'))).toBe(false);
    expect(refusesRecoveryMember(new ApiError(409, 'KEY_IN_USE', 'unknown member', 'body.recovery'))).toBe(false);
    expect(refusesRecoveryMember(new Error('unknown member'))).toBe(false);
  });
});

describe('archipel key recovery', () => {
  it('has no --words-file: the recovery words never sign member.recovery.set', async () => {
    let err = '';
    const code = await runCli(['key', 'recovery', '--words-file', '-'], { stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s) }, env: {}, configDir: tmpdir() });
    expect(code).toBe(EXIT.USAGE);
    expect(err).toMatch(/unknown option '--words-file'/);
    let help = '';
    expect(await runCli(['key', 'recovery', '--help'], { stdout: { write: (s: string) => (help += s) }, stderr: { write: () => undefined }, env: {}, configDir: tmpdir() })).toBe(EXIT.OK);
    expect(help).toContain('`key recover` with the words first');
  });
});
