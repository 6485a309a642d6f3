// `archipel verify` of a circle born of a fork (SPEC §7): the genesis must carry exactly the
// delegations in force between two leavers at the tally that decided the fork (circle and topic
// scopes, in log order), as the replay of the original's shared history gives them; one left out,
// or one that had ended, is refused with FORK_DELEGATIONS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli } from '../../../src/cli/archipel';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import type { BodyOf, StatementType } from '../../../src/core/formats/statement-types';
import { base64url } from '../../../src/core/formats/canonical-json';
import { derivedId } from '../../../src/core/formats/ids';
import { leafHash } from '../../../src/core/formats/merkle';
import { DEFAULT_PARAMS } from '../../../src/core/governance/params';
import { at, chain, checkpointOf, INSTANCE_NAME, makeInstance, nextId } from './log-builder';

jest.setTimeout(60_000);

const instance = makeInstance();
const [ada, bea, cyd, dee] = [0, 1, 2, 3].map(() => StatementSigner.generate());
const registry = chain(
  'registry',
  [ada, bea, cyd, dee].map((m, i) => m.sign('member.register', null, { name: `m${i}` }, { id: nextId(), at: at(i) })),
);

/** The original circle: bea and cyd leave by a split proposal; seqs of their delegations returned. */
function original() {
  const genesis = ada.sign('circle.create', null, { name: 'Commons', regime: 'unanimity' } as BodyOf<'circle.create'>, { id: nextId(), at: at(10) });
  const circle = derivedId(genesis);
  const statements = [genesis];
  const add = <T extends StatementType>(s: StatementSigner, type: T, body: BodyOf<T>): string => {
    const jws = s.sign(type, circle, body, { id: nextId(), at: at(10 + statements.length) });
    statements.push(jws);
    return jws;
  };
  for (const m of [bea, cyd, dee]) {
    add(ada, 'member.invite', { member: m.id });
    add(m, 'member.accept', {});
  }
  add(bea, 'delegation.set', { to: cyd.id, scope: { circle: true } }); // seq 7: carried
  add(cyd, 'delegation.set', { to: bea.id, scope: { topic: 'roads' } }); // seq 8: carried
  add(cyd, 'delegation.set', { to: bea.id, scope: { topic: 'rails' } }); // seq 9: revoked below
  add(dee, 'delegation.set', { to: bea.id, scope: { circle: true } }); // seq 10: across the sides
  add(cyd, 'delegation.revoke', { scope: { topic: 'rails' } }); // seq 11
  const split = derivedId(add(ada, 'proposal.open', { kind: 'split', title: 'Part', text: 'Some go.', name: 'Elsewhere', closesAt: at(10 + 15) })); // seq 12
  add(bea, 'vote.cast', { proposal: split, choice: 'leave' });
  add(cyd, 'vote.cast', { proposal: split, choice: 'leave' });
  add(instance.signer, 'tally.result', {
    proposal: split,
    regime: 'unanimity',
    params: { ...DEFAULT_PARAMS },
    outcome: 'forked',
    totals: { E: 4, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 2,
  }); // seq 15
  return { circle, statements, split, add };
}

function forked(carriedSeqs: number[]) {
  const o = original();
  const members = [bea.id, cyd.id].sort();
  const shared = chain(o.circle, o.statements, Date.parse(at(10)));
  const leaf = (seq: number) => base64url(leafHash(Buffer.from(shared[seq], 'utf8')));
  const genesis = instance.signer.sign(
    'circle.forked',
    null,
    {
      from: o.circle,
      atSeq: 15,
      atLeaf: leaf(15),
      checkpoint: checkpointOf(instance, `${INSTANCE_NAME}/circles/${o.circle}`, shared, 16),
      name: 'Elsewhere',
      parent: null,
      regime: 'unanimity',
      params: {},
      members,
      delegations: carriedSeqs.map(leaf),
      cause: o.split,
    } as BodyOf<'circle.forked'>,
    { id: nextId(), at: at(10 + 16) },
  );
  const newCircle = derivedId(genesis);
  o.add(instance.signer, 'circle.split', { newCircle, members, cause: o.split });
  const originalLog = chain(o.circle, o.statements, Date.parse(at(10)));
  const log = chain(newCircle, [genesis], Date.parse(at(10 + 16)));
  return { originalLog, log, checkpoint: checkpointOf(instance, `${INSTANCE_NAME}/circles/${newCircle}`, log) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archipel-fork-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(carriedSeqs: number[]): Promise<{ code: number; out: string; err: string }> {
  const w = forked(carriedSeqs);
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  let out = '';
  let err = '';
  const code = await runCli(
    [
      'verify',
      '--log', file('fork.jsonl', `${w.log.join('\n')}\n`),
      '--fork-of', file('original.jsonl', `${w.originalLog.join('\n')}\n`),
      '--registry', file('registry.jsonl', `${registry.join('\n')}\n`),
      '--checkpoint', file('checkpoint.txt', w.checkpoint),
      '--key', instance.noteKey,
      '--threads', '1',
    ],
    { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, workerFile: join(__dirname, 'ts-worker.js') },
  );
  return { code, out, err };
}

it('accepts a genesis carrying exactly the delegations in force between the leavers', async () => {
  const { code, out, err } = await verify([7, 8]);
  expect(err).toBe('');
  expect(code).toBe(EXIT.OK);
  expect(out).toContain('2 delegation(s) carried');
});

it('refuses a genesis that leaves one out', async () => {
  const { code, err } = await verify([7]);
  expect(code).not.toBe(EXIT.OK);
  expect(err).toMatch(/FORK_DELEGATIONS/);
});

it('refuses a genesis carrying one that had ended, or listing them out of log order', async () => {
  expect((await verify([7, 8, 9])).err).toMatch(/FORK_DELEGATIONS/);
  expect((await verify([8, 7])).err).toMatch(/FORK_DELEGATIONS/);
});
