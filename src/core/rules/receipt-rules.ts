// SPEC §8: receipts of decisions carried up the federation, one per decision per ancestor.
import { DomainError } from './domain-error';
import { isRemoteCircle } from '../formats/ids';
import type { PayloadOf } from '../formats/statement-types';
import type { Decision, StateView } from './state';

export function decideChildDecision(p: PayloadOf<'child.decision'>, state: StateView): Decision {
  const ancestor = state.circle(p.circle);
  if (!ancestor) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${p.circle}`, 'circle');
  if (state.hasReceipt(p.circle, p.body.child, p.body.proposal)) {
    throw new DomainError('REPLAYED_STATEMENT', 'This log already holds the receipt of that decision', 'body.proposal');
  }
  const parent = ancestor.parent;
  return {
    effects: [{ kind: 'receipt.recorded', ancestor: p.circle, child: p.body.child, proposal: p.body.proposal, childSeq: p.body.entry.seq }],
    followUps: [],
    // A decision of this instance: its one propagation job carries the receipt on to every
    // ancestor. A decision taken on another instance (§12.2) goes up one hop at a time from here.
    jobs: isRemoteCircle(p.body.child) && parent ? [{ kind: 'propagate', circle: p.circle, seq: -1, ancestor: parent }] : [],
  };
}
