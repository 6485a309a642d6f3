// A small instance in memory, signed with real keys: a registry of four
// members and one circle log (genesis, invitations, statements, a system
// statement), with checkpoints. Plus the tools to tamper with it.
import { createPrivateKey, sign } from 'node:crypto';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { BodyOf, StatementType } from '../../../src/core/formats/statement-types';
import { formatTimestamp, fromBase64url } from '../../../src/core/formats/canonical-json';
import { encodeEntry, LogEntry, prevOf } from '../../../src/core/formats/entry';
import { appendLeaves, consistencyProof, leafHash, mapGetter, rootFromLeafHashes } from '../../../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../../src/core/formats/signed-note';
import { derivedId } from '../../../src/core/formats/ids';
import { DEFAULT_PARAMS } from '../../../src/core/governance/params';

export const INSTANCE_NAME = 'archipel.test';
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
/** The motion's deadline: the recordedAt of the tally's entry (seq 11), so it is tallied on time. */
const CLOSES = formatTimestamp(T0 + 10_000 + 11 * 1000);
const PARAMS = { ...DEFAULT_PARAMS };

export interface Instance {
  signer: StatementSigner;
  noteKey: string;
  /** signs a note (checkpoint text) with the instance key */
  signNote(text: string): string;
}

export function makeInstance(name = INSTANCE_NAME, signer = StatementSigner.generate()): Instance {
  const publicKey = fromBase64url(signer.publicJwk.x) as Uint8Array;
  const privateKey = createPrivateKey({ key: { ...signer.exportPrivateJwk() }, format: 'jwk' });
  return {
    signer,
    noteKey: formatVerifierKey(name, publicKey),
    signNote: (text) => signNote(text, name, publicKey, (m) => new Uint8Array(sign(null, m, privateKey))),
  };
}

export const lineOf = (entry: LogEntry): { line: string; leaf: Uint8Array } => encodeEntry(entry);

/** Wraps statements into a chained log. */
export function chain(circle: string, statements: string[], startMs = T0): string[] {
  const lines: string[] = [];
  let prev: string | null = null;
  statements.forEach((jws, seq) => {
    const { line, leaf } = lineOf({ v: 1, circle, seq, prev, recordedAt: formatTimestamp(startMs + seq * 1000), jws });
    lines.push(line);
    prev = prevOf(leaf);
  });
  return lines;
}

export function rootOf(lines: string[], size = lines.length): Uint8Array {
  return rootFromLeafHashes(lines.slice(0, size).map((l) => leafHash(Buffer.from(l, 'utf8'))));
}

export function checkpointOf(instance: Instance, origin: string, lines: string[], size = lines.length): string {
  return instance.signNote(formatCheckpoint(origin, size, rootOf(lines, size)));
}

/** RFC 6962 consistency proof between two sizes of a log, base64url, as an instance serves it. */
export function consistencyPathOf(lines: string[], from: number, to: number): string[] {
  const leaves = lines.map((l) => leafHash(Buffer.from(l, 'utf8')));
  const { nodes } = appendLeaves(0, () => new Uint8Array(32), leaves);
  return consistencyProof(from, to, mapGetter(nodes)).map((h) => Buffer.from(h).toString('base64url'));
}

export interface World {
  instance: Instance;
  members: StatementSigner[];
  /** a key that never registered */
  stranger: StatementSigner;
  registry: string[];
  circle: string;
  /** statements of the circle log, in order */
  statements: string[];
  log: string[];
  registryCheckpoint: string;
  checkpoint: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let counter = 0;
/** Fresh canonical ULIDs, in increasing order. */
export function nextId(): string {
  let n = ++counter;
  let tail = '';
  for (let i = 0; i < 16; i++) {
    tail = CROCKFORD[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  return `01JNKQ8Z3W${tail}`;
}

export function at(i: number): string {
  return formatTimestamp(T0 + i * 1000);
}

function signed<T extends StatementType>(s: StatementSigner, type: T, circle: string | null, body: BodyOf<T>, i: number): string {
  return s.sign(type, circle, body, { id: nextId(), at: at(i) });
}

/** Registry of four members; a circle created by the first, joined by the others, with some decisions. */
export function buildWorld(): World {
  const instance = makeInstance();
  const members = [0, 1, 2, 3].map(() => StatementSigner.generate());
  const names = ['Ada', 'Bea', 'Cyd', 'Dee'];
  const registry = chain(
    'registry',
    members.map((m, i) => signed(m, 'member.register', null, { name: names[i] }, i)),
  );
  const [ada, bea, cyd, dee] = members;
  const genesis = signed(ada, 'circle.create', null, { name: 'Garden', regime: 'do-ocracy' }, 10);
  const circle = derivedId(genesis);
  const statements = [genesis];
  const add = <T extends StatementType>(s: StatementSigner, type: T, body: BodyOf<T>): void => {
    statements.push(signed(s, type, circle, body, 10 + statements.length));
  };
  add(ada, 'member.invite', { member: bea.id });
  add(bea, 'member.accept', {});
  add(ada, 'member.invite', { member: cyd.id });
  add(cyd, 'member.accept', {});
  add(bea, 'member.invite', { member: dee.id });
  add(dee, 'member.accept', {});
  // Closes at the `at` of the tally's entry (seq 11): votes and delegations before it count.
  add(ada, 'proposal.open', { kind: 'motion', title: 'Plant trees', text: 'We plant ten trees.', closesAt: CLOSES });
  const proposal = derivedId(statements[statements.length - 1]);
  add(bea, 'vote.cast', { proposal, choice: 'support' });
  add(cyd, 'delegation.set', { to: bea.id, scope: { circle: true } });
  add(dee, 'regime.position', { position: 'amendment' });
  add(instance.signer, 'tally.result', {
    proposal,
    regime: 'do-ocracy',
    params: PARAMS,
    outcome: 'adopted',
    totals: { E: 4, Y: 2, N: 0, A: 0, O: 0 },
    lost: { weight: 0, cycles: [] },
    absent: 2,
  });
  // After the tally, a vote on the proposal would be refused; leaving the circle is not.
  add(dee, 'member.leave', {});
  const log = chain(circle, statements, T0 + 10_000);
  return {
    instance,
    members,
    stranger: StatementSigner.generate(),
    registry,
    circle,
    statements,
    log,
    registryCheckpoint: checkpointOf(instance, `${INSTANCE_NAME}/registry`, registry),
    checkpoint: checkpointOf(instance, `${INSTANCE_NAME}/circles/${circle}`, log),
  };
}

/** The entry of a line, as an object. */
export function entryOf(line: string): LogEntry {
  return JSON.parse(line) as LogEntry;
}

/** Re-chains `lines` from `from` on, as a dishonest instance would after editing an entry. */
export function rechain(lines: string[], from = 1): string[] {
  const out = lines.slice();
  for (let i = Math.max(1, from); i < out.length; i++) {
    const prev = prevOf(lineOf(entryOf(out[i - 1])).leaf);
    out[i] = lineOf({ ...entryOf(out[i]), prev }).line;
  }
  return out;
}
