// SPEC §6: positions on the regime cursor, and the instance's `regime.changed` when it moves.
import { DomainError } from './domain-error';
import { requireCircleMember } from './circle-rules';
import type { PayloadOf } from '../formats/statement-types';
import type { Decision, StateView } from './state';

export function decideRegimePosition(p: PayloadOf<'regime.position'>, signer: string, state: StateView): Decision {
  requireCircleMember(p.circle, signer, state);
  return {
    effects: [{ kind: 'position.set', circle: p.circle, member: signer, position: p.body.position }],
    followUps: [],
    jobs: [{ kind: 'recompute-cursor', circle: p.circle }],
  };
}

/** The cursor moved: the circle decides under the new regime from this entry on (open proposals keep theirs). */
export function decideRegimeChanged(p: PayloadOf<'regime.changed'>, state: StateView): Decision {
  const circle = state.circle(p.circle);
  if (!circle) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${p.circle}`, 'circle');
  if (circle.regime !== p.body.from) throw new DomainError('WRONG_PHASE', `The circle's regime is ${circle.regime}, not ${p.body.from}`, 'body.from');
  return { effects: [{ kind: 'circle.regime', circle: p.circle, regime: p.body.to, params: circle.params }], followUps: [] };
}
