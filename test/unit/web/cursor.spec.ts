import { StatementSigner } from '../../../src/core/formats/statement-signer';
import { positionsFromLog } from '../../../src/web/lib/cursor';

describe('web regime cursor: positions from a log', () => {
  it('keeps each member’s latest regime.position and ignores other entries', () => {
    const [alice, bob] = [StatementSigner.generate(), StatementSigner.generate()];
    const circle = 'QAAAAAAAAAAAAAAAAAAAAA';
    const jwses = [
      alice.sign('regime.position', circle, { position: 'split' }),
      bob.sign('regime.position', circle, { position: 'do-ocracy' }),
      alice.sign('member.leave', circle, {}),
      alice.sign('regime.position', circle, { position: 'amendment' }),
    ];
    const log = jwses.map((jws, seq) => JSON.stringify({ v: 1, circle, seq, prev: null, recordedAt: '2026-12-05T10:00:00.000Z', jws })).join('\n') + '\n';
    expect(positionsFromLog(log)).toEqual(new Map([[alice.id, 'amendment'], [bob.id, 'do-ocracy']]));
    expect(positionsFromLog('')).toEqual(new Map());
  });
});
