import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { decideAddCheckpoint, oldRootOfProof, WitnessRecord } from '../../../src/core/verify/witness-decision';
import { consistencyProof, leafHash, mapGetter, MerkleNode, appendLeaves, root, EMPTY_ROOT } from '../../../src/core/formats/merkle';
import { formatCheckpoint, formatVerifierKey, signNote } from '../../../src/core/formats/signed-note';
import { formatAddCheckpoint, parseAddCheckpoint, parseTlogSize } from '../../../src/core/formats/witness-protocol';

function newKey(label: string) {
  const seed = createHash('sha256').update(label).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { publicKey: new Uint8Array(Buffer.from(x, 'base64url')), sign: (m: Uint8Array) => new Uint8Array(cryptoSign(null, m, privateKey)) };
}

const ORIGIN = 'peer.example/circles/AAAAAAAAAAAAAAAAAAAAAA';
const log = newKey('peer');
const other = newKey('someone else');
const vkey = formatVerifierKey('peer.example', log.publicKey);
const keysFor = (origin: string) => (origin === ORIGIN ? [vkey] : undefined);

class Tree {
  store = new Map<string, MerkleNode>();
  size = 0;
  constructor(private readonly prefix: string) {}
  grow(to: number): this {
    for (; this.size < to; this.size++) {
      for (const n of appendLeaves(this.size, mapGetter(this.store.values()), [leafHash(Buffer.from(`${this.prefix}${this.size}`))]).nodes) {
        this.store.set(`${n.level}/${n.index}`, n);
      }
    }
    return this;
  }
  get = (l: number, i: number) => mapGetter(this.store.values())(l, i);
  root(size = this.size) {
    return root(size, this.get);
  }
  note(size = this.size, signer = log) {
    return signNote(formatCheckpoint(ORIGIN, size, this.root(size)), 'peer.example', signer.publicKey, signer.sign);
  }
  request(from: number, to = this.size) {
    return formatAddCheckpoint(from, from === 0 ? [] : consistencyProof(from, to, this.get), this.note(to));
  }
}

describe('tlog-witness add-checkpoint decisions', () => {
  const tree = new Tree('x').grow(12);
  const at = (size: number): WitnessRecord => ({ size, root: tree.root(size) });

  it('first contact: old 0 and no proof, cosigned', () => {
    expect(decideAddCheckpoint(tree.request(0, 5), keysFor, null).status).toBe(200);
  });

  it('a consistent extension is cosigned; the same checkpoint again too', () => {
    expect(decideAddCheckpoint(tree.request(5, 12), keysFor, at(5)).status).toBe(200);
    expect(decideAddCheckpoint(tree.request(12, 12), keysFor, at(12)).status).toBe(200);
  });

  it('409 with the witness size when old does not match the record', () => {
    const v = decideAddCheckpoint(tree.request(3, 12), keysFor, at(5));
    expect(v).toMatchObject({ status: 409, size: 5, fork: null });
    expect(decideAddCheckpoint(tree.request(5, 12), keysFor, null)).toMatchObject({ status: 409, size: 0 });
  });

  it('404 for an origin not witnessed, 403 without a trusted signature', () => {
    expect(decideAddCheckpoint(tree.request(0, 5), () => undefined, null).status).toBe(404);
    const foreign = formatAddCheckpoint(0, [], tree.note(5, other));
    expect(decideAddCheckpoint(foreign, keysFor, null).status).toBe(403);
  });

  it('400 for old above the size, and for malformed bodies', () => {
    const body = formatAddCheckpoint(7, [], tree.note(5));
    expect(decideAddCheckpoint(body, keysFor, at(7)).status).toBe(400);
    for (const bad of ['', 'old 01\n\n', 'new 0\n\nx', `old 0\nnot-base64\n\n${tree.note(5)}`, `old 0\n${tree.note(5)}`]) {
      expect(decideAddCheckpoint(bad, keysFor, null).status).toBe(400);
    }
  });

  it('a fork at the same size: 409 and evidence', () => {
    const forked = new Tree('y').grow(5);
    expect(decideAddCheckpoint(forked.request(5, 5), keysFor, at(5))).toMatchObject({ status: 409, size: 5, fork: 'SAME_SIZE_OTHER_ROOT' });
  });

  it('a consistency proof leading to the checkpoint from another root at the cosigned size: 422 and a proven fork', () => {
    const forked = new Tree('y').grow(12);
    const v = decideAddCheckpoint(forked.request(5, 12), keysFor, at(5));
    expect(v).toMatchObject({ status: 422, fork: 'OTHER_ROOT_AT_OLD_SIZE' });
    // Both signed checkpoints are there to keep: the one shown, as the log signed it.
    expect(v.status === 422 && v.note).toBe(forked.note(12));
  });

  it('a consistency proof that does not verify proves nothing: 422, no fork', () => {
    const forked = new Tree('y').grow(12);
    // garbage lines with the honest, genuinely signed checkpoint
    const garbage = formatAddCheckpoint(5, [new Uint8Array(32).fill(7), new Uint8Array(32).fill(8), new Uint8Array(32).fill(9)], tree.note(12));
    expect(decideAddCheckpoint(garbage, keysFor, at(5))).toMatchObject({ status: 422, fork: null });
    // a proof for the right sizes but from another tree
    const body = formatAddCheckpoint(5, consistencyProof(5, 12, forked.get), tree.note(12));
    expect(decideAddCheckpoint(body, keysFor, at(5))).toMatchObject({ status: 422, fork: null });
    // no proof at all
    expect(decideAddCheckpoint(formatAddCheckpoint(5, [], forked.note(12)), keysFor, at(5))).toMatchObject({ status: 422, fork: null });
    // from a power of two the old root is not in the proof: a fork there cannot be told from a bad proof
    expect(decideAddCheckpoint(forked.request(4, 12), keysFor, at(4))).toMatchObject({ status: 422, fork: null });
  });

  it('keeps of the note only the signature lines of the trusted keys', () => {
    const note = tree.note(12);
    const stranger = signNote(formatCheckpoint(ORIGIN, 12, tree.root(12)), 'stranger.example', other.publicKey, other.sign);
    const both = `${note}${stranger.slice(stranger.lastIndexOf('\n\n') + 2)}`;
    const v = decideAddCheckpoint(formatAddCheckpoint(5, consistencyProof(5, 12, tree.get), both), keysFor, at(5));
    expect(v).toMatchObject({ status: 200, note });
  });
});

describe('oldRootOfProof', () => {
  const tree = new Tree('z').grow(40);
  it('finds the old root a valid consistency proof leads from, except from a power of two', () => {
    for (let to = 2; to <= 40; to++) {
      for (let from = 1; from < to; from++) {
        const found = oldRootOfProof(from, to, tree.root(to), consistencyProof(from, to, tree.get));
        if ((from & (from - 1)) === 0) expect(found).toBeNull();
        else expect(found && Buffer.from(found).equals(Buffer.from(tree.root(from)))).toBe(true);
      }
    }
  });

  it('is null when the proof does not lead to the new root', () => {
    const proof = consistencyProof(5, 12, tree.get);
    expect(oldRootOfProof(5, 12, tree.root(13), proof)).toBeNull();
    expect(oldRootOfProof(5, 12, tree.root(12), proof.slice(1))).toBeNull();
    expect(oldRootOfProof(5, 12, tree.root(12), [...proof, proof[0]])).toBeNull();
    expect(oldRootOfProof(5, 5, tree.root(5), [])).toBeNull();
  });
});

describe('tlog-witness add-checkpoint decisions, the empty log', () => {
  it('an empty log is consistent with nothing but the empty root', () => {
    const empty = signNote(formatCheckpoint(ORIGIN, 0, EMPTY_ROOT), 'peer.example', log.publicKey, log.sign);
    expect(decideAddCheckpoint(formatAddCheckpoint(0, [], empty), keysFor, null).status).toBe(200);
  });
});

describe('add-checkpoint body format', () => {
  it('matches the C2SP example layout and round-trips', () => {
    const proof = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const body = formatAddCheckpoint(20852014, proof, 'N\n\n— k x\n');
    expect(body).toBe(`old 20852014\n${Buffer.from(proof[0]).toString('base64')}\n${Buffer.from(proof[1]).toString('base64')}\n\nN\n\n— k x\n`);
    const parsed = parseAddCheckpoint(body);
    expect(parsed.oldSize).toBe(20852014);
    expect(parsed.proof.map((p) => Buffer.from(p))).toEqual(proof.map((p) => Buffer.from(p)));
    expect(parsed.note).toBe('N\n\n— k x\n');
  });

  it('refuses more than 63 proof lines', () => {
    const line = `${Buffer.alloc(32).toString('base64')}\n`;
    expect(() => parseAddCheckpoint(`old 1\n${line.repeat(64)}\nN\n`)).toThrow(/63/);
  });

  it('reads a text/x.tlog.size body', () => {
    expect(parseTlogSize('42\n')).toBe(42);
    expect(parseTlogSize('042\n')).toBeNull();
    expect(parseTlogSize('42')).toBeNull();
  });
});
