// Export a circle's log from a running instance and verify it with the shipped CLI
// (`archipel verify`), in both forms; tampering with the export is caught.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { archipel } from '../support/cli';

describe('archipel verify against a running instance', () => {
  let t: TestApp;
  let api: ApiClient;
  let circle: string;
  const dir = mkdtempSync(join(tmpdir(), 'archipel-verify-'));

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t.url);
    const alice = await api.register('Alice');
    const bob = await api.register('Bob');
    const carol = await api.register('Carol');
    const root = await api.circle(alice, 'Federation', { members: [bob, carol] });
    circle = await api.circle(alice, 'Working group', { parent: root, members: [bob] });
    await api.act(bob, 'member.leave', circle, {});
    for (const [name, path] of [
      ['log.jsonl', `/api/v1/circles/${circle}/log`],
      ['registry.jsonl', '/api/v1/registry/log'],
      ['checkpoint.txt', `/api/v1/circles/${circle}/checkpoint`],
    ]) {
      writeFileSync(join(dir, name), (await api.get(path)).text);
    }
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts every log fetched from the instance', async () => {
    const run = await archipel('verify', '--instance', t.url, '--circle', circle);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/OK governance: every statement follows the rules; 0 tally results recomputed and equal/);
  });

  it('accepts the downloaded files with the instance key, and catches one changed byte', async () => {
    const key = (await api.get<{ noteKey: string }>('/.well-known/archipel.json')).body.noteKey;
    const files = ['--registry', join(dir, 'registry.jsonl'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', key];
    expect((await archipel('verify', '--log', join(dir, 'log.jsonl'), ...files)).status).toBe(0);

    const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n');
    lines[2] = lines[2].replace('"seq":2', '"seq":3');
    writeFileSync(join(dir, 'tampered.jsonl'), lines.join('\n'));
    const tampered = await archipel('verify', '--log', join(dir, 'tampered.jsonl'), ...files);
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toMatch(/^FAIL seq 2: /);

    const dropped = readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n');
    dropped.splice(1, 1);
    writeFileSync(join(dir, 'dropped.jsonl'), dropped.join('\n'));
    const short = await archipel('verify', '--log', join(dir, 'dropped.jsonl'), ...files);
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/^FAIL seq 1: /);
  });
});
