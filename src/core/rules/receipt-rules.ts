// SPEC §8: receipts of decisions carried up the federation, one per decision per ancestor.
import { DomainError } from './domain-error';
import type { PayloadOf } from '../formats/statement-types';
import type { Decision, StateView } from './state';

export function decideChildDecision(p: PayloadOf<'child.decision'>, state: StateView): Decision {
  const ancestor = state.circle(p.circle);
  if (!ancestor) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${p.circle}`, 'circle');
  if (state.hasReceipt(p.circle, p.body.child, p.body.proposal)) {
    throw new DomainError('REPLAYED_STATEMENT', 'This log already holds the receipt of that decision', 'body.proposal');
  }
  return {
    effects: [{ kind: 'receipt.recorded', ancestor: p.circle, child: p.body.child, proposal: p.body.proposal, childSeq: p.body.entry.seq }],
    // The decision's one propagation job carries the same receipt on to the next ancestors.
    followUps: [],
  };
}
