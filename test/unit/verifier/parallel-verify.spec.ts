// The parallel path (worker threads inspect, this thread checks order) reaches
// exactly the verdicts of the single-threaded reference verifier.
import { join } from 'node:path';
import { lineBatches, splitLines, verifyLogStream } from '../../../src/cli/archipel';
import { instanceFromNoteKey, LogSummary, registryKeys, VerificationFailure } from '../../../src/core/verify/verify-log';
import { at, buildWorld, chain, entryOf, lineOf, nextId, rechain } from './log-builder';

jest.setTimeout(60_000);

const WORKER = join(__dirname, 'ts-worker.js');
const world = buildWorld();
const instance = instanceFromNoteKey(world.instance.noteKey);
const members = registryKeys(world.registry);

/** The bytes of a log file, served in chunks of `size` bytes that cut lines anywhere. */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

type Verdict = { ok: true; size: number; root: string } | { ok: false; seq: number; code: string; reason: string };

async function verdict(lines: string[], threads: number, circle = world.circle): Promise<Verdict> {
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  try {
    const summary: LogSummary = await verifyLogStream(chunked(bytes, 333), {
      circle,
      members,
      instance,
      threads,
      batchBytes: 900, // a line or two per batch: many batches, answered out of order
      workerFile: WORKER,
    });
    return { ok: true, size: summary.size, root: Buffer.from(summary.root).toString('base64') };
  } catch (e) {
    if (!(e instanceof VerificationFailure)) throw e;
    return { ok: false, seq: e.seq, code: e.code, reason: e.reason };
  }
}

const withJws = (lines: string[], i: number, jws: string): string[] =>
  lines.map((l, j) => (j === i ? lineOf({ ...entryOf(l), jws }).line : l));

const cases: [string, () => string[], string][] = [
  ['the valid log', () => world.log, 'OK'],
  ['one byte changed', () => world.log.map((l, i) => (i === 5 ? l.replace('"seq":5', '"seq":6') : l)), 'BAD_SEQ'],
  ['a dropped entry', () => world.log.filter((_, i) => i !== 4), 'BAD_SEQ'],
  [
    'two swapped entries',
    () => {
      const s = world.log.slice();
      [s[6], s[7]] = [s[7], s[6]];
      return s;
    },
    'BAD_SEQ',
  ],
  [
    'a statement re-signed by another key',
    () => {
      const payload = JSON.parse(Buffer.from(entryOf(world.log[8]).jws.split('.')[1], 'base64url').toString());
      return rechain(withJws(world.log, 8, world.stranger.signPayload(payload)), 9);
    },
    'UNKNOWN_MEMBER',
  ],
  ['a replayed statement', () => rechain(withJws(world.log, 9, entryOf(world.log[8]).jws), 10), 'REPLAYED_ID'],
  [
    'a statement for another circle',
    () => {
      const jws = world.members[2].sign('regime.position', 'AAAAAAAAAAAAAAAAAAAAAQ', { position: 'split' }, { id: nextId(), at: at(30) });
      return rechain(withJws(world.log, 3, jws), 4);
    },
    'WRONG_CIRCLE',
  ],
  ['a log without its genesis', () => chain(world.circle, world.statements.slice(1)), 'WRONG_GENESIS'],
  ['a line that is not JSON', () => world.log.map((l, i) => (i === 10 ? l.slice(0, -1) : l)), 'MALFORMED_ENTRY'],
];

describe('parallel and serial verification agree', () => {
  it.each(cases)('%s', async (_name, build, expected) => {
    const lines = build();
    const serial = await verdict(lines, 1);
    expect(serial.ok ? 'OK' : serial.code).toBe(expected);
    const parallel = await verdict(lines, 2);
    expect(parallel).toEqual(serial);
  });

  it('the valid log verifies in parallel to its checkpoint root', async () => {
    const v = await verdict(world.log, 3);
    expect(v).toMatchObject({ ok: true, size: world.log.length });
  });

  it('a genesis that does not derive the circle id', async () => {
    const other = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const relabelled = rechain(world.log.map((l) => lineOf({ ...entryOf(l), circle: other }).line));
    const serial = await verdict(relabelled, 1, other);
    expect(serial).toMatchObject({ ok: false, seq: 0, code: 'WRONG_GENESIS' });
    expect(await verdict(relabelled, 2, other)).toEqual(serial);
  });
});

describe('reading a log as lines of bytes', () => {
  const collect = async (text: string, target: number, chunk: number): Promise<string[]> => {
    const lines: string[] = [];
    for await (const batch of lineBatches(chunked(Buffer.from(text), chunk), target)) {
      for (const line of splitLines(batch)) lines.push(Buffer.from(line).toString());
    }
    return lines;
  };

  it('never cuts a line, whatever the chunks and batch size', async () => {
    const text = 'a\nbb\n\nccc\ndddd\n';
    for (const target of [1, 2, 3, 5, 100]) {
      for (const chunk of [1, 2, 3, 7, 100]) {
        expect(await collect(text, target, chunk)).toEqual(['a', 'bb', '', 'ccc', 'dddd']);
      }
    }
  });

  it('keeps a last line without its newline, and a carriage return as part of its line', async () => {
    expect(await collect('x\r\ny', 4, 3)).toEqual(['x\r', 'y']);
    expect(await collect('', 4, 3)).toEqual([]);
  });

  it('gives each batch a buffer of its own', async () => {
    for await (const batch of lineBatches(chunked(Buffer.from('one\ntwo\nthree\n'), 5), 4)) {
      expect(batch.byteOffset).toBe(0);
      expect(batch.buffer.byteLength).toBe(batch.length);
    }
  });
});
