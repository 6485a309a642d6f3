// StatementSigner.external: the instance key held elsewhere signs through a callback; what it
// signs verifies as the in-process key's would, and a callback with the wrong key fails loudly.
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { fromBase64url } from '../../../src/core/formats/canonical-json';
import { parseCompact } from '../../../src/core/formats/statement';

describe('StatementSigner.external', () => {
  const held = StatementSigner.generate();
  const raw = fromBase64url(held.publicJwk.x) as Uint8Array;

  it('signs statements and notes that verify under the same key and kid', () => {
    const external = StatementSigner.external(raw, (m) => held.signBytes(m));
    expect(external.id).toBe(held.id);
    const jws = external.sign('member.register', null, { name: 'Ext' });
    expect(parseCompact(jws).header.kid).toBe(held.id);
    expect(() => external.exportPrivateJwk()).toThrow(/external signer/);
  });

  it('refuses a signature that does not verify under its public key', () => {
    const other = StatementSigner.generate();
    const wrong = StatementSigner.external(raw, (m) => other.signBytes(m));
    expect(() => wrong.signBytes(new Uint8Array([1, 2, 3]))).toThrow(/does not verify/);
    expect(() => StatementSigner.external(raw.subarray(0, 31), (m) => held.signBytes(m))).toThrow(/32 bytes/);
  });
});
