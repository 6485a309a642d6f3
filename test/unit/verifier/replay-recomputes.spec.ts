// The offline replay (core/verify/replay.ts) recomputes what the instance decided alone:
// every regime.changed from the positions, members and circle-scoped delegations just before it
// (SPEC §6), and tallies after a fork, where delegations to those who left have lapsed (SPEC §7).
import { parseCompact } from '../../../src/core/formats/statement';
import { StatementSigner } from '../../../src/core/formats/statement-signer';
import type { BodyOf, StatementType } from '../../../src/core/formats/statement-types';
import { decodeEntryLine } from '../../../src/core/formats/entry';
import { DEFAULT_PARAMS } from '../../../src/core/governance/params';
import { derivedId } from '../../../src/core/formats/ids';
import { LogReplay, ReplayFailure } from '../../../src/core/verify/replay';
import { at, chain, makeInstance, nextId } from './log-builder';

const instance = makeInstance();
const [ada, bea, cyd, dee] = [0, 1, 2, 3].map(() => StatementSigner.generate());
const registry = [ada, bea, cyd, dee].map((s, i) => ({ id: s.id, name: `m${i}`, jwk: s.publicJwk }));

/** A circle of four under `regime`, then `more(add, circle)`; returns the replay's verdict. */
function replay(regime: string, more: (add: <T extends StatementType>(s: StatementSigner, type: T, body: BodyOf<T>) => string, circle: string) => void) {
  const genesis = ada.sign('circle.create', null, { name: 'Commons', regime } as BodyOf<'circle.create'>, { id: nextId(), at: at(0) });
  const circle = derivedId(genesis);
  const statements = [genesis];
  const add = <T extends StatementType>(s: StatementSigner, type: T, body: BodyOf<T>): string => {
    const jws = s.sign(type, circle, body, { id: nextId(), at: at(statements.length) });
    statements.push(jws);
    return jws;
  };
  for (const m of [bea, cyd, dee]) {
    add(ada, 'member.invite', { member: m.id });
    add(m, 'member.accept', {});
  }
  more(add, circle);
  const r = new LogReplay(circle, registry);
  try {
    for (const line of chain(circle, statements, Date.parse(at(0)))) {
      const d = decodeEntryLine(line);
      if (!d.ok) throw new Error(d.reason);
      const parsed = parseCompact(d.entry.jws);
      r.push({ seq: d.entry.seq, recordedAt: d.entry.recordedAt, jws: d.entry.jws, payload: parsed.payload, signer: parsed.header.kid, jwk: parsed.header.jwk });
    }
  } catch (e) {
    if (e instanceof ReplayFailure) return { ok: false as const, code: e.code, message: e.message, seq: e.seq };
    throw e;
  }
  return { ok: true as const, tallies: r.tallies, regimeChanges: r.regimeChanges };
}

describe('regime.changed is recomputed', () => {
  const positions = (add: Parameters<Parameters<typeof replay>[1]>[0]) => {
    add(ada, 'regime.position', { position: 'amendment' });
    add(bea, 'regime.position', { position: 'amendment' });
    add(cyd, 'delegation.set', { to: bea.id, scope: { circle: true } }); // carried by bea's position
  };
  const honest: BodyOf<'regime.changed'> = {
    from: 'unanimity',
    to: 'amendment',
    weights: { unanimity: 0, 'do-ocracy': 0, amendment: 3, split: 0 },
    cast: 3,
    E: 4,
  };

  it('accepts the move the cursor makes', () => {
    expect(replay('unanimity', (add) => (positions(add), add(instance.signer, 'regime.changed', honest)))).toEqual({ ok: true, tallies: 0, regimeChanges: 1 });
  });

  it('names the first figure that differs', () => {
    const forged = { ...honest, weights: { ...honest.weights, amendment: 2, split: 1 } };
    const verdict = replay('unanimity', (add) => (positions(add), add(instance.signer, 'regime.changed', forged)));
    expect(verdict).toMatchObject({ ok: false, code: 'REGIME_MISMATCH', seq: 10 });
    expect(verdict.ok || verdict.message).toMatch(/weights\.amendment is 2, recomputed 3/);
  });

  it('refuses a move the cursor does not make (below quorum)', () => {
    const verdict = replay('unanimity', (add) => {
      add(ada, 'regime.position', { position: 'amendment' });
      add(instance.signer, 'regime.changed', { ...honest, weights: { ...honest.weights, amendment: 1 }, cast: 1 });
    });
    expect(verdict).toMatchObject({ ok: false, code: 'REGIME_MISMATCH', seq: 8 });
    expect(verdict.ok || verdict.message).toMatch(/stays at unanimity/);
  });

  it('counts a position only while its member is in the circle', () => {
    const verdict = replay('unanimity', (add) => {
      positions(add);
      add(bea, 'member.leave', {}); // her position and the delegation to her stop counting
      add(instance.signer, 'regime.changed', honest);
    });
    expect(verdict).toMatchObject({ ok: false, code: 'REGIME_MISMATCH' });
  });
});

describe('a tally after a fork', () => {
  /** seq 7–9: an explicit split proposal that dee alone leaves by, tallied forked. */
  function fork(add: <T extends StatementType>(s: StatementSigner, type: T, body: BodyOf<T>) => string): string {
    const split = derivedId(add(ada, 'proposal.open', { kind: 'split', title: 'Part', text: 'Some of us go.', name: 'Elsewhere', closesAt: at(9) }));
    add(dee, 'vote.cast', { proposal: split, choice: 'leave' });
    add(instance.signer, 'tally.result', {
      proposal: split,
      regime: 'unanimity',
      params: { ...DEFAULT_PARAMS },
      outcome: 'forked',
      totals: { E: 4, Y: 1, N: 0, A: 0, O: 0 },
      lost: { weight: 0, cycles: [] },
      absent: 3,
    });
    return split;
  }

  it('does not count delegations to those who left', () => {
    const verdict = replay('unanimity', (add) => {
      const split = fork(add);
      const opened = add(ada, 'proposal.open', { kind: 'motion', title: 'Share', text: 'Share the tools.', closesAt: at(15) }); // the tally's entry, seq 15
      const proposal = derivedId(opened);
      add(bea, 'vote.cast', { proposal, choice: 'yes' });
      add(dee, 'vote.cast', { proposal, choice: 'yes' });
      add(cyd, 'delegation.set', { to: dee.id, scope: { circle: true } });
      // dee leaves in the fork: the delegation to her lapses; she stays eligible, her vote counts.
      add(instance.signer, 'circle.split', { newCircle: 'AAAAAAAAAAAAAAAAAAAAAA', members: [dee.id], cause: split });
      add(instance.signer, 'tally.result', {
        proposal,
        regime: 'unanimity',
        params: { ...DEFAULT_PARAMS },
        outcome: 'rejected',
        totals: { E: 4, Y: 2, N: 0, A: 0, O: 0 },
        lost: { weight: 0, cycles: [] },
        absent: 2, // ada, and cyd whose delegate left
      });
    });
    expect(verdict).toEqual({ ok: true, tallies: 2, regimeChanges: 0 });
  });

  it('refuses a circle.split whose members are not those who chose to leave, or with no forked cause', () => {
    const wrongMembers = replay('unanimity', (add) => {
      const split = fork(add);
      add(instance.signer, 'circle.split', { newCircle: 'AAAAAAAAAAAAAAAAAAAAAA', members: [cyd.id, dee.id].sort(), cause: split });
    });
    expect(wrongMembers).toMatchObject({ ok: false, code: 'FORK_MISMATCH', seq: 10 });
    const noCause = replay('unanimity', (add, circle) => {
      add(instance.signer, 'circle.split', { newCircle: 'AAAAAAAAAAAAAAAAAAAAAA', members: [dee.id], cause: circle });
    });
    expect(noCause).toMatchObject({ ok: false, code: 'FORK_MISMATCH', seq: 7 });
  });
});
