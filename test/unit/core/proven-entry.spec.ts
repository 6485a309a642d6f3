// SPEC §8, §12.2: what one instance proves to another — an entry of its log by its signed
// checkpoint and an inclusion proof; the motion a parent ratifies, with its amendments — checked by
// core/verify/proven-entry.ts. A small log is built here, signed by a throwaway instance key.
import { base64url, formatTimestamp } from '../../../src/core/formats/canonical-json';
import { encodeEntry, prevOf } from '../../../src/core/formats/entry';
import { derivedId, parseQualifiedCircleId, qualifiedCircleId, isRemoteCircle } from '../../../src/core/formats/ids';
import { appendLeaves, inclusionProof, mapGetter } from '../../../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../../src/core/formats/signed-note';
import { parseCompact } from '../../../src/core/formats/statement';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { BODY_SCHEMAS } from '../../../src/core/formats/statement-types';
import { isSignedByInstance, motionToRatify, verifyProvenEntry } from '../../../src/core/verify/proven-entry';
import { CheckpointFailure } from '../../../src/core/verify/verification';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const PARAMS = { unanimityQuorum: 1, objectionShare: '1/10', majorityQuorum: '1/5', amendmentQuorum: '1/10', amendingShare: '1/2', splitShare: '1/3', cursorQuorum: '1/2' };
const TOTALS = { E: 1, Y: 1, N: 0, A: 0, O: 0 };

/** A circle's log on instance `c.test`: genesis, a ratify motion, two amendments (one adopted), their tallies, the motion's. */
function buildLog() {
  const instance = StatementSigner.generate();
  const member = StatementSigner.generate();
  const at = (i: number) => formatTimestamp(T0 + i * 1000);
  const genesis = member.sign('circle.create', null, { name: 'Atelier', regime: 'amendment' }, { at: at(0) });
  const circle = derivedId(genesis);
  const motion = member.sign('proposal.open', circle, { kind: 'motion', title: 'Charte', text: 'Nous ouvrons le samedi.', closesAt: at(100), ratify: true }, { at: at(1) });
  const motionId = derivedId(motion);
  const amend = (find: string, replace: string, i: number) =>
    member.sign('proposal.open', circle, { kind: 'amendment', title: `Amendement ${i}`, text: '', closesAt: at(50), target: motionId, find, replace }, { at: at(i) });
  const adoptedAmendment = amend('samedi', 'dimanche', 2);
  const rejectedAmendment = amend('ouvrons', 'fermons', 3);
  const tally = (proposal: string, outcome: 'adopted' | 'rejected', i: number) =>
    instance.sign('tally.result', circle, { proposal, regime: 'amendment', params: PARAMS, outcome, totals: TOTALS, lost: { weight: 0, cycles: [] }, absent: 0 } as never, { at: at(i) });
  const jwses = [genesis, motion, adoptedAmendment, rejectedAmendment, tally(derivedId(adoptedAmendment), 'adopted', 51), tally(derivedId(rejectedAmendment), 'rejected', 52), tally(motionId, 'adopted', 101)];
  const recordedAt = [0, 1, 2, 3, 51, 52, 101];
  let prev: string | null = null;
  const lines: string[] = [];
  const leaves: Uint8Array[] = [];
  jwses.forEach((jws, seq) => {
    const { line, leaf } = encodeEntry({ v: 1, circle, seq, prev, recordedAt: at(recordedAt[seq]), jws });
    lines.push(line);
    leaves.push(leaf);
    prev = prevOf(leaf);
  });
  const { nodes, root, size } = appendLeaves(0, () => new Uint8Array(32), leaves);
  const get = mapGetter(nodes);
  const origin = qualifiedCircleId('c.test', circle);
  const checkpoint = signNote(formatCheckpoint(origin, size, root), 'c.test', instance.rawPublicKey, (m) => instance.signBytes(m));
  const included = (seq: number) => ({ line: lines[seq], proof: inclusionProof(seq, size, get).map(base64url) });
  const noteKey = formatVerifierKey('c.test', instance.rawPublicKey);
  return { instance, member, circle, origin, checkpoint, noteKey, lines, included, motionId, jwses };
}

describe('qualified circle ids (SPEC §12.2)', () => {
  it('name an instance and a circle, and are told from plain ids', () => {
    const id = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect(parseQualifiedCircleId(`commons-a.example/circles/${id}`)).toEqual({ instance: 'commons-a.example', circle: id });
    expect(parseQualifiedCircleId(`a.example/sub/circles/${id}`)).toEqual({ instance: 'a.example/sub', circle: id });
    expect(qualifiedCircleId('a.example', id)).toBe(`a.example/circles/${id}`);
    for (const bad of [id, `a b/circles/${id}`, `a+b/circles/${id}`, `a/circles/${id}x`, `/circles/${id}`, `a/circle/${id}`, `a/circles/AAAAAAAAAAAAAAAAAAAAAB`]) {
      expect(parseQualifiedCircleId(bad)).toBeNull();
    }
    expect(isRemoteCircle(`a/circles/${id}`)).toBe(true);
    expect(isRemoteCircle(id)).toBe(false);
  });

  it('are taken where a body names a circle of another instance, and nowhere else', () => {
    const id = 'AAAAAAAAAAAAAAAAAAAAAA';
    expect(BODY_SCHEMAS['circle.create'].safeParse({ name: 'x', regime: 'unanimity', parent: `a.test/circles/${id}` }).success).toBe(true);
    expect(BODY_SCHEMAS['circle.create'].safeParse({ name: 'x', regime: 'unanimity', parent: `a.test/registry` }).success).toBe(false);
    expect(BODY_SCHEMAS['child.created'].safeParse({ child: `b.test/circles/${id}`, genesis: { leaf: 'A'.repeat(43) } }).success).toBe(true);
    // A member is a key, whatever the instance: no qualified member ids.
    expect(BODY_SCHEMAS['member.invite'].safeParse({ member: `a.test/circles/${id}` }).success).toBe(false);
  });
});

describe('verifyProvenEntry', () => {
  const log = buildLog();

  it('accepts every entry with its proof, signed by the instance, for its origin', () => {
    log.lines.forEach((_, seq) => {
      const { entry, checkpoint } = verifyProvenEntry({ ...log.included(seq), checkpoint: log.checkpoint }, log.noteKey, log.origin);
      expect(entry.seq).toBe(seq);
      expect(checkpoint.size).toBe(log.lines.length);
    });
  });

  const failure = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CheckpointFailure);
      return (e as CheckpointFailure).code;
    }
    throw new Error('expected a failure');
  };

  it('refuses another origin, another key, a wrong proof, another entry, a tampered line', () => {
    const good = { ...log.included(1), checkpoint: log.checkpoint };
    expect(failure(() => verifyProvenEntry(good, log.noteKey, `c.test/circles/${'B'.repeat(21)}A`))).toBe('WRONG_ORIGIN');
    expect(failure(() => verifyProvenEntry(good, formatVerifierKey('c.test', StatementSigner.generate().rawPublicKey), log.origin))).toBe('BAD_CHECKPOINT');
    expect(failure(() => verifyProvenEntry({ ...good, proof: log.included(2).proof }, log.noteKey, log.origin))).toBe('BAD_PROOF');
    expect(failure(() => verifyProvenEntry({ ...good, proof: [] }, log.noteKey, log.origin))).toBe('BAD_PROOF');
    expect(failure(() => verifyProvenEntry({ ...good, proof: ['not base64url!'] }, log.noteKey, log.origin))).toBe('BAD_PROOF');
    expect(failure(() => verifyProvenEntry({ ...good, line: good.line.replace('"seq":1', '"seq":2') }, log.noteKey, log.origin))).toBe('BAD_PROOF');
    expect(failure(() => verifyProvenEntry({ ...good, line: good.line.replace('2030', '2031') }, log.noteKey, log.origin))).toBe('BAD_PROOF');
    expect(failure(() => verifyProvenEntry({ ...good, line: 'not json' }, log.noteKey, log.origin))).toBe('BAD_PROOF');
  });

  it('tells the instance’s own system statements from a member’s and from another key’s', () => {
    expect(isSignedByInstance(parseCompact(log.jwses[6]), log.noteKey)).toBe(true);
    expect(isSignedByInstance(parseCompact(log.jwses[1]), log.noteKey)).toBe(false);
    const other = StatementSigner.generate();
    expect(isSignedByInstance(parseCompact(log.jwses[6]), formatVerifierKey('c.test', other.rawPublicKey))).toBe(false);
  });
});

describe('motionToRatify (SPEC §8, §5.3)', () => {
  const log = buildLog();
  const sources = { opening: log.included(1), amendments: [{ opening: log.included(2), tally: log.included(4) }] };

  it('is the motion as amended by its adopted amendments, with its own window', () => {
    expect(motionToRatify(log.motionId, log.origin, log.noteKey, log.checkpoint, sources)).toEqual({ title: 'Charte', text: 'Nous ouvrons le dimanche.', windowMs: 99_000 });
    expect(motionToRatify(log.motionId, log.origin, log.noteKey, log.checkpoint, { ...sources, amendments: [] }).text).toBe('Nous ouvrons le samedi.');
  });

  it('refuses a rejected amendment passed as adopted, a tally that is not its own, another motion, a member-signed tally', () => {
    const refuse = (s: typeof sources, proposal = log.motionId) => expect(() => motionToRatify(proposal, log.origin, log.noteKey, log.checkpoint, s)).toThrow(CheckpointFailure);
    refuse({ ...sources, amendments: [{ opening: log.included(3), tally: log.included(5) }] });
    refuse({ ...sources, amendments: [{ opening: log.included(3), tally: log.included(4) }] });
    refuse({ ...sources, amendments: [{ opening: log.included(2), tally: log.included(6) }] });
    refuse({ ...sources, opening: log.included(2) });
    refuse(sources, derivedId(log.jwses[2]));
    refuse({ ...sources, amendments: [{ opening: log.included(2), tally: log.included(1) }] });
  });
});
