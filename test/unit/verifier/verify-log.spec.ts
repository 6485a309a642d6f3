// The offline verifier (SPEC §3.4–§3.6): a valid log passes, and every kind of
// tampering is caught at the entry where it happened.
import fc from 'fast-check';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { canonicalJson } from '../../../src/core/formats/canonical-json';
import { encodeEntry } from '../../../src/core/formats/entry';
import {
  CheckpointFailure,
  checkAgainstCheckpoint,
  checkConsistencyProof,
  checkOlderCheckpoint,
  instanceFromNoteKey,
  keyLookup,
  LogSummary,
  LogVerifier,
  originOf,
  registryKeys,
  VerificationFailure,
  verifyCheckpoint,
} from '../../../src/core/verify/verify-log';
import { derivedId } from '../../../src/core/formats/ids';
import {
  at,
  buildWorld,
  chain,
  checkpointOf,
  consistencyPathOf,
  entryOf,
  INSTANCE_NAME,
  lineOf,
  makeInstance,
  nextId,
  rechain,
  World,
} from './log-builder';

const world: World = buildWorld();
const instance = instanceFromNoteKey(world.instance.noteKey);
const members = registryKeys(world.registry);
const circleOrigin = originOf(INSTANCE_NAME, world.circle);

function verifier(circle = world.circle, rootsAt: number[] = []): LogVerifier {
  return new LogVerifier({ circle, keys: keyLookup(members, instance), instanceKid: instance.kid, rootsAt });
}

function verify(lines: readonly (string | Uint8Array)[], circle = world.circle, rootsAt: number[] = []): LogSummary {
  const v = verifier(circle, rootsAt);
  for (const line of lines) v.push(line);
  return v.finish();
}

function failureOf(run: () => unknown): VerificationFailure {
  try {
    run();
  } catch (e) {
    if (e instanceof VerificationFailure) return e;
    throw e;
  }
  throw new Error('expected a verification failure');
}

function checkpointFailureOf(run: () => unknown): CheckpointFailure {
  try {
    run();
  } catch (e) {
    if (e instanceof CheckpointFailure) return e;
    throw e;
  }
  throw new Error('expected a checkpoint failure');
}

const replaceLine = (lines: string[], i: number, line: string): string[] => lines.map((l, j) => (j === i ? line : l));
const withJws = (lines: string[], i: number, jws: string): string[] =>
  replaceLine(lines, i, lineOf({ ...entryOf(lines[i]), jws }).line);

describe('a valid log', () => {
  it('passes, with the Merkle root its checkpoint signs', () => {
    const summary = verify(world.log);
    expect(summary.size).toBe(world.log.length);
    const checkpoint = verifyCheckpoint(world.checkpoint, world.instance.noteKey, circleOrigin);
    expect(checkpoint.size).toBe(world.log.length);
    expect(() => checkAgainstCheckpoint(summary, checkpoint)).not.toThrow();
    expect(Buffer.from(summary.root)).toEqual(Buffer.from(checkpoint.root));
    expect(summary.lastRecordedAt).toBe(entryOf(world.log[world.log.length - 1]).recordedAt);
  });

  it('passes as bytes as well as strings', () => {
    const summary = verify(world.log.map((l) => Buffer.from(l, 'utf8')));
    expect(summary.size).toBe(world.log.length);
  });

  it('the registry passes, checkpointed, and yields every member key', () => {
    expect([...members.keys()].sort()).toEqual(world.members.map((m) => m.id).sort());
    const summary = verify(world.registry, 'registry');
    const checkpoint = verifyCheckpoint(world.registryCheckpoint, world.instance.noteKey, `${INSTANCE_NAME}/registry`);
    expect(() => checkAgainstCheckpoint(summary, checkpoint)).not.toThrow();
  });

  it('derives the instance kid from the note key', () => {
    expect(instance.kid).toBe(world.instance.signer.id);
    expect(instance.name).toBe(INSTANCE_NAME);
  });

  it('a circle.forked genesis signed by the instance is accepted', () => {
    const params = { unanimityQuorum: 1, objectionShare: 0.1, majorityQuorum: 0.2, amendmentQuorum: 0.1, amendingShare: '1/2', splitShare: '1/3', cursorQuorum: '1/2' };
    const genesis = world.instance.signer.sign(
      'circle.forked',
      null,
      {
        from: world.circle,
        atSeq: 11,
        atLeaf: Buffer.from(lineOf(entryOf(world.log[11])).leaf).toString('base64url'),
        checkpoint: world.checkpoint,
        name: 'Garden (fork)',
        parent: null,
        regime: 'do-ocracy',
        params,
        members: [world.members[1].id],
        delegations: [],
        cause: derivedId(world.statements[7]),
      },
      { id: nextId(), at: at(100) },
    );
    const circle = derivedId(genesis);
    const bea = world.members[1];
    const log = chain(circle, [genesis, bea.sign('regime.position', circle, { position: 'split' }, { id: nextId(), at: at(101) })]);
    expect(verify(log, circle).size).toBe(2);
  });

  it('keeps roots at the sizes asked for', () => {
    const summary = verify(world.log, world.circle, [0, 3, 7]);
    for (const size of [3, 7]) {
      const checkpoint = verifyCheckpoint(checkpointOf(world.instance, circleOrigin, world.log, size), world.instance.noteKey, circleOrigin);
      expect(() => checkAgainstCheckpoint(summary, checkpoint)).not.toThrow();
    }
  });
});

describe('tampering is caught at the entry where it happened', () => {
  it('one byte changed in the signature of a line', () => {
    const line = world.log[5];
    const i = line.indexOf('"jws":"') + 7 + entryOf(line).jws.lastIndexOf('.') + 5;
    const tampered = line.slice(0, i) + (line[i] === 'A' ? 'B' : 'A') + line.slice(i + 1);
    const f = failureOf(() => verify(replaceLine(world.log, 5, tampered)));
    expect(f.seq).toBe(5);
    expect(f.code).toBe('BAD_SIGNATURE');
  });

  it('any one byte changed in a line fails at that entry or the next', () => {
    const lines = world.log.slice(0, 8);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (k, pos, byte) => {
        const bytes = Buffer.from(lines[k], 'utf8');
        const p = pos % bytes.length;
        fc.pre(bytes[p] !== byte);
        bytes[p] = byte;
        const f = failureOf(() => verify(replaceLine(lines, k, '').map((l, j) => (j === k ? bytes : l))));
        // The next entry's prev catches a change that leaves line k valid (its unsigned recordedAt).
        expect([k, k + 1]).toContain(f.seq);
      }),
      { numRuns: 150 },
    );
  });

  it('a change to the last entry that keeps it valid is caught by the checkpoint', () => {
    const last = world.log.length - 1;
    const entry = entryOf(world.log[last]);
    const tampered = replaceLine(world.log, last, lineOf({ ...entry, recordedAt: at(500) }).line);
    const summary = verify(tampered);
    const checkpoint = verifyCheckpoint(world.checkpoint, world.instance.noteKey, circleOrigin);
    expect(checkpointFailureOf(() => checkAgainstCheckpoint(summary, checkpoint)).code).toBe('ROOT_MISMATCH');
  });

  it('a dropped entry', () => {
    const dropped = world.log.filter((_, i) => i !== 4);
    const f = failureOf(() => verify(dropped));
    expect([f.seq, f.code]).toEqual([4, 'BAD_SEQ']);
  });

  it('a dropped entry, re-chained by a dishonest instance, is still a seq gap', () => {
    const dropped = world.log.filter((_, i) => i !== 4);
    const f = failureOf(() => verify(rechain(dropped, 4)));
    expect([f.seq, f.code]).toEqual([4, 'BAD_SEQ']);
  });

  it('two swapped entries', () => {
    const swapped = world.log.slice();
    [swapped[6], swapped[7]] = [swapped[7], swapped[6]];
    const f = failureOf(() => verify(swapped));
    expect([f.seq, f.code]).toEqual([6, 'BAD_SEQ']);
  });

  it('two swapped entries, renumbered and re-chained', () => {
    const swapped = world.log.slice();
    [swapped[6], swapped[7]] = [swapped[7], swapped[6]];
    const renumbered = swapped.map((l, seq) => lineOf({ ...entryOf(l), seq }).line);
    const f = failureOf(() => verify(rechain(renumbered, 6)));
    // Renumbered, the entries are well formed; the recordedAt order gives the swap away.
    expect([f.seq, f.code]).toEqual([7, 'TIME_DECREASES']);
  });

  it('a signature replaced by one from another registered key', () => {
    const jws = entryOf(world.log[8]).jws;
    const [h, p] = jws.split('.');
    const cyd = world.members[2]; // entry 8 is Bea's vote
    const other = cyd.signRaw(Buffer.from(h, 'base64url').toString(), Buffer.from(p, 'base64url'));
    const resigned = `${h}.${p}.${other.split('.')[2]}`;
    const f = failureOf(() => verify(rechain(withJws(world.log, 8, resigned), 9)));
    expect([f.seq, f.code]).toEqual([8, 'BAD_SIGNATURE']);
  });

  it('a statement re-signed by an unregistered key under its own kid', () => {
    const payload = JSON.parse(Buffer.from(entryOf(world.log[8]).jws.split('.')[1], 'base64url').toString());
    const forged = world.stranger.signPayload(payload);
    const f = failureOf(() => verify(rechain(withJws(world.log, 8, forged), 9)));
    expect([f.seq, f.code]).toEqual([8, 'UNKNOWN_MEMBER']);
  });

  it('a system statement signed by a member key', () => {
    const payload = JSON.parse(Buffer.from(entryOf(world.log[11]).jws.split('.')[1], 'base64url').toString());
    const forged = world.members[0].signPayload(payload, { typ: 'archipel-system' });
    const f = failureOf(() => verify(rechain(withJws(world.log, 11, forged), 12)));
    expect([f.seq, f.code]).toEqual([11, 'WRONG_SIGNER']);
  });

  it('a member statement signed by the instance key', () => {
    const payload = JSON.parse(Buffer.from(entryOf(world.log[9]).jws.split('.')[1], 'base64url').toString());
    const forged = world.instance.signer.signPayload(payload);
    const f = failureOf(() => verify(rechain(withJws(world.log, 9, forged), 10)));
    expect([f.seq, f.code]).toEqual([9, 'WRONG_SIGNER']);
  });

  it('a genesis that does not derive the circle id', () => {
    const other = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const relabelled = rechain(world.log.map((l) => lineOf({ ...entryOf(l), circle: other }).line));
    const f = failureOf(() => verify(relabelled, other));
    expect([f.seq, f.code]).toEqual([0, 'WRONG_GENESIS']);
  });

  it('a log that does not start with a genesis', () => {
    const headless = chain(world.circle, world.statements.slice(1));
    const f = failureOf(() => verify(headless));
    expect([f.seq, f.code]).toEqual([0, 'WRONG_GENESIS']);
  });

  it("an entry of another circle's log", () => {
    const f = failureOf(() => verify(world.log, 'AAAAAAAAAAAAAAAAAAAAAQ'));
    expect([f.seq, f.code]).toEqual([0, 'WRONG_CIRCLE']);
  });

  it('a statement for another circle', () => {
    const other = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const jws = world.members[2].sign('regime.position', other, { position: 'split' }, { id: nextId(), at: at(30) });
    const f = failureOf(() => verify(rechain(withJws(world.log, 3, jws), 4)));
    expect([f.seq, f.code]).toEqual([3, 'WRONG_CIRCLE']);
  });

  it('a replayed statement', () => {
    const replayed = rechain(withJws(world.log, 9, entryOf(world.log[8]).jws), 10);
    const f = failureOf(() => verify(replayed));
    expect([f.seq, f.code]).toEqual([9, 'REPLAYED_ID']);
  });

  it('recordedAt going back in time', () => {
    const back = rechain(replaceLine(world.log, 6, lineOf({ ...entryOf(world.log[6]), recordedAt: at(0) }).line), 7);
    const f = failureOf(() => verify(back));
    expect([f.seq, f.code]).toEqual([6, 'TIME_DECREASES']);
  });

  it('a line that is not canonical JSON', () => {
    const spaced = replaceLine(world.log, 2, world.log[2].replace('{"circle"', '{ "circle"'));
    const f = failureOf(() => verify(spaced));
    expect([f.seq, f.code]).toEqual([2, 'MALFORMED_ENTRY']);
  });

  it('an entry with a seventh member', () => {
    const extra = replaceLine(world.log, 2, world.log[2].replace('{"circle"', '{"a":1,"circle"'));
    const f = failureOf(() => verify(extra));
    expect([f.seq, f.code]).toEqual([2, 'MALFORMED_ENTRY']);
  });

  it('an empty circle log', () => {
    expect(failureOf(() => verify([])).code).toBe('EMPTY_LOG');
  });

  it('stays failed: later pushes throw the first failure', () => {
    const v = verifier();
    v.push(world.log[0]);
    expect(() => v.push(world.log[2])).toThrow(VerificationFailure);
    const first = v.failed;
    expect(() => v.push(world.log[1])).toThrow(first as VerificationFailure);
    expect(() => v.finish()).toThrow(first as VerificationFailure);
  });
});

describe('the registry log', () => {
  it('refuses a key registered twice', () => {
    const ada = world.members[0];
    const again = ada.sign('member.register', null, { name: 'Ada again' }, { id: nextId(), at: at(9) });
    const lines = chain('registry', [...world.registry.map((l) => entryOf(l).jws), again]);
    const f = failureOf(() => registryKeys(lines));
    expect([f.seq, f.code]).toEqual([4, 'DUPLICATE_REGISTRATION']);
  });

  it('refuses anything but member.register', () => {
    const lines = chain('registry', [...world.registry.map((l) => entryOf(l).jws), world.statements[1]]);
    const f = failureOf(() => registryKeys(lines));
    expect([f.seq, f.code]).toEqual([4, 'NOT_REGISTRATION']);
  });

  it('refuses a registration signed by a key other than its jwk', () => {
    const newcomer = StatementSigner.generate();
    const payload = { v: 1, type: 'member.register', id: nextId(), circle: null, at: at(9), body: { name: 'Eve' } };
    const header = { alg: 'EdDSA', kid: newcomer.id, typ: 'archipel-statement', jwk: newcomer.publicJwk };
    const forged = world.stranger.signRaw(header, canonicalJson(payload));
    const lines = chain('registry', [...world.registry.map((l) => entryOf(l).jws), forged]);
    const f = failureOf(() => registryKeys(lines));
    expect([f.seq, f.code]).toEqual([4, 'BAD_SIGNATURE']);
  });

  it('refuses a registry entry without the six members', () => {
    const extra = world.registry.slice();
    extra[2] = extra[2].replace('{"circle"', '{"a":1,"circle"');
    const f = failureOf(() => registryKeys(extra));
    expect([f.seq, f.code]).toEqual([2, 'MALFORMED_ENTRY']);
  });

  it('a circle log does not take a member.register', () => {
    const f = failureOf(() => verify(rechain(withJws(world.log, 5, entryOf(world.registry[0]).jws), 6)));
    expect([f.seq, f.code]).toEqual([5, 'WRONG_CIRCLE']);
  });

  it('a statement by a member missing from the registry is refused', () => {
    const partial = new LogVerifier({
      circle: world.circle,
      keys: keyLookup(registryKeys(world.registry.slice(0, 3)), instance),
      instanceKid: instance.kid,
    });
    const f = failureOf(() => world.log.forEach((l) => partial.push(l)));
    // Dee (the fourth registration) first signs at seq 6.
    expect([f.seq, f.code]).toEqual([6, 'UNKNOWN_MEMBER']);
  });
});

describe('checkpoints', () => {
  const summary = verify(world.log, world.circle, [5]);
  const checkpoint = verifyCheckpoint(world.checkpoint, world.instance.noteKey, circleOrigin);

  it('refuses a note signed by another key', () => {
    const impostor = makeInstance();
    const note = checkpointOf(impostor, circleOrigin, world.log);
    expect(checkpointFailureOf(() => verifyCheckpoint(note, world.instance.noteKey, circleOrigin)).code).toBe('BAD_CHECKPOINT');
  });

  it('refuses another origin', () => {
    const note = checkpointOf(world.instance, `${INSTANCE_NAME}/registry`, world.log);
    expect(checkpointFailureOf(() => verifyCheckpoint(note, world.instance.noteKey, circleOrigin)).code).toBe('WRONG_ORIGIN');
  });

  it('refuses a checkpoint for another root', () => {
    const other = world.log.slice();
    other[3] = world.registry[0];
    const note = checkpointOf(world.instance, circleOrigin, other);
    const forged = verifyCheckpoint(note, world.instance.noteKey, circleOrigin);
    expect(checkpointFailureOf(() => checkAgainstCheckpoint(summary, forged)).code).toBe('ROOT_MISMATCH');
  });

  it('refuses a checkpoint ahead of the log', () => {
    const short = verify(world.log.slice(0, 6));
    expect(checkpointFailureOf(() => checkAgainstCheckpoint(short, checkpoint)).code).toBe('CHECKPOINT_AHEAD');
  });

  it('accepts an older checkpoint of the same history', () => {
    const older = verifyCheckpoint(checkpointOf(world.instance, circleOrigin, world.log, 5), world.instance.noteKey, circleOrigin);
    expect(() => checkOlderCheckpoint(older, checkpoint, summary)).not.toThrow();
    expect(() => checkConsistencyProof(older, checkpoint, consistencyPathOf(world.log, 5, world.log.length))).not.toThrow();
  });

  it('refuses an older checkpoint inconsistent with the new log', () => {
    // The instance had signed, at size 5, a history whose entry 4 was something else.
    const forked = world.log.slice(0, 5);
    forked[4] = encodeEntry({ ...entryOf(forked[4]), recordedAt: at(14.5) }).line;
    const older = verifyCheckpoint(checkpointOf(world.instance, circleOrigin, forked), world.instance.noteKey, circleOrigin);
    expect(checkpointFailureOf(() => checkOlderCheckpoint(older, checkpoint, summary)).code).toBe('INCONSISTENT');
    const path = consistencyPathOf(world.log, 5, world.log.length);
    expect(checkpointFailureOf(() => checkConsistencyProof(older, checkpoint, path)).code).toBe('BAD_PROOF');
  });

  it('refuses an older checkpoint larger than the newer', () => {
    const older = verifyCheckpoint(checkpointOf(world.instance, circleOrigin, world.log, 5), world.instance.noteKey, circleOrigin);
    expect(checkpointFailureOf(() => checkOlderCheckpoint(checkpoint, older, summary)).code).toBe('INCONSISTENT');
  });
});
