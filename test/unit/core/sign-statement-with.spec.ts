import { signStatementWith, StatementSigner } from '../../../src/core/formats/statement-signer';
import { cryptoProvider } from '../../../src/core/crypto/crypto';

describe('signStatementWith (a key the code never sees, as in browsers)', () => {
  it('produces exactly the JWS of StatementSigner.sign for the same key, id and time', async () => {
    const seed = new Uint8Array(32).map((_, i) => i + 1);
    const signer = StatementSigner.fromSeed(seed);
    const key = cryptoProvider().importPrivateKey(seed);
    const sign = async (input: Uint8Array) => cryptoProvider().sign(key, input);
    const opts = { id: '01JEXAMPLE0000000000000000', at: '2026-12-05T10:00:00.000Z' };
    for (const [type, circle, body] of [
      ['member.register', null, { name: 'Alice' }],
      ['vote.cast', 'QAAAAAAAAAAAAAAAAAAAAA', { proposal: 'QAAAAAAAAAAAAAAAAAAAAA', choice: 'object', reason: 'é' }],
    ] as const) {
      const expected = signer.sign(type as never, circle, body as never, opts);
      await expect(signStatementWith(sign, signer.publicJwk, type as never, circle, body as never, opts)).resolves.toBe(expected);
    }
  });
});
