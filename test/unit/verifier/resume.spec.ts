// An incremental audit resumes the verifier where the last one stopped: it must reach exactly the
// verdict and the roots of a verifier that read the whole log, and catch what a full run catches
// in the new entries.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { StreamingMerkle } from '../../../src/core/formats/merkle';
import { keyLookup, LogVerifier, registryKeys, VerificationFailure } from '../../../src/core/verify/verify-log';
import { buildWorld, entryOf, lineOf } from './log-builder';

describe('StreamingMerkle.resume', () => {
  it('goes on from a frontier to the same roots as a single pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
        const leaves = Array.from({ length: a + b }, () => new Uint8Array(randomBytes(32)));
        const whole = new StreamingMerkle();
        leaves.forEach((l) => whole.push(l));
        const first = new StreamingMerkle();
        leaves.slice(0, a).forEach((l) => first.push(l));
        const resumed = StreamingMerkle.resume(a, first.frontier);
        leaves.slice(a).forEach((l) => resumed.push(l));
        expect(resumed.size).toBe(a + b);
        expect(Buffer.from(resumed.root()).equals(Buffer.from(whole.root()))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a frontier that does not fit the size', () => {
    const m = new StreamingMerkle();
    for (let i = 0; i < 5; i++) m.push(new Uint8Array(32).fill(i));
    expect(() => StreamingMerkle.resume(7, m.frontier)).toThrow(/frontier/);
    expect(() => StreamingMerkle.resume(5, m.frontier)).not.toThrow();
  });
});

describe('LogVerifier.resume', () => {
  const world = buildWorld();
  const keys = keyLookup(registryKeys(world.registry), { kid: world.instance.signer.id, key: world.instance.signer.publicKey });
  const options = { circle: world.circle, keys, instanceKid: world.instance.signer.id };

  it.each([0, 1, 5, world.log.length - 1, world.log.length])('resumed after %i entries, reaches the full run\'s summary', (k) => {
    const full = new LogVerifier(options);
    world.log.forEach((l) => full.push(l));
    const first = new LogVerifier(options);
    world.log.slice(0, k).forEach((l) => first.push(l));
    const resumed = LogVerifier.resume(options, first.prefix);
    world.log.slice(k).forEach((l) => resumed.push(l));
    const a = full.finish();
    const b = resumed.finish();
    expect(b.size).toBe(a.size);
    expect(Buffer.from(b.root).equals(Buffer.from(a.root))).toBe(true);
    expect(b.lastRecordedAt).toBe(a.lastRecordedAt);
  });

  it('catches an entry whose bytes changed after the resumed prefix', () => {
    const first = new LogVerifier(options);
    world.log.slice(0, 4).forEach((l) => first.push(l));
    const resumed = LogVerifier.resume(options, first.prefix);
    const edited = { ...entryOf(world.log[4]), recordedAt: entryOf(world.log[4]).recordedAt.replace(/\d(?=Z$)/, (d) => String((Number(d) + 1) % 10)) };
    expect(() => resumed.push(lineOf(edited).line)).not.toThrow(); // a well-formed entry on its own…
    expect(() => resumed.push(world.log[5])).toThrow(VerificationFailure); // …whose successor no longer chains
    expect(resumed.failed?.code).toBe('BAD_PREV');
  });

  it('catches a resumed prefix that is not the log\'s (a wrong last leaf)', () => {
    const first = new LogVerifier(options);
    world.log.slice(0, 4).forEach((l) => first.push(l));
    const prefix = { ...first.prefix, lastLeaf: new Uint8Array(32) };
    const resumed = LogVerifier.resume(options, prefix);
    expect(() => resumed.push(world.log[4])).toThrow(VerificationFailure);
    expect(resumed.failed?.code).toBe('BAD_PREV');
  });
});

describe('LogVerifier.keepRootsAt', () => {
  const world = buildWorld();
  const keys = keyLookup(registryKeys(world.registry), { kid: world.instance.signer.id, key: world.instance.signer.publicKey });
  const options = { circle: world.circle, keys, instanceKid: world.instance.signer.id };

  it('a verifier that goes on keeps the roots asked for later, as one told at the start does, and only those', () => {
    const n = world.log.length;
    const sizes = [2, n - 1, n];
    const told = new LogVerifier({ ...options, rootsAt: sizes });
    world.log.forEach((l) => told.push(l));
    const later = new LogVerifier(options);
    world.log.slice(0, 2).forEach((l) => later.push(l));
    expect(later.finish().roots.size).toBe(0);
    later.keepRootsAt(sizes); // 2: the size it has now; the others still ahead
    world.log.slice(2).forEach((l) => later.push(l));
    const expected = told.finish().roots;
    const kept = later.finish().roots;
    expect([...kept.keys()].sort((a, b) => a - b)).toEqual(sizes);
    for (const size of sizes) expect(Buffer.from(kept.get(size) as Uint8Array).equals(Buffer.from(expected.get(size) as Uint8Array))).toBe(true);
    later.keepRootsAt([1, n]); // 1, already passed: not kept; those kept before are forgotten
    expect([...later.finish().roots.keys()]).toEqual([n]);
  });
});
