// SPEC §4, §5.1, §5.3: who may vote on what, when, and with which choices.
import { DomainError } from './domain-error';
import { requireCircleMember } from './circle-rules';
import type { PayloadOf } from '../formats/statement-types';
import { choicesFor } from '../governance/tally';
import type { Decision, ProposalState, StateView } from './state';

/** The proposal a vote addresses, open for voting at `recordedAt`, and the signer eligible. */
export function votableProposal(circle: string, proposalId: string, signer: string, recordedAt: number, state: StateView): ProposalState {
  requireCircleMember(circle, signer, state);
  const proposal = state.proposal(proposalId);
  if (!proposal || proposal.circle !== circle) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${proposalId} in this circle`, 'body.proposal');
  if (proposal.closed || recordedAt >= proposal.closesAt) throw new DomainError('PROPOSAL_CLOSED', 'This proposal is closed', 'body.proposal');
  if (proposal.amendmentsCloseAt !== null && recordedAt < proposal.amendmentsCloseAt) {
    throw new DomainError('WRONG_PHASE', 'The motion is in its amending phase: votes open at amendmentsCloseAt', 'body.proposal');
  }
  if (!state.isEligible(proposal.id, signer)) {
    throw new DomainError('NOT_ELIGIBLE', 'Only members of the circle when the proposal opened vote on it', 'kid');
  }
  return proposal;
}

export function decideVoteCast(p: PayloadOf<'vote.cast'>, signer: string, recordedAt: number, state: StateView): Decision {
  const proposal = votableProposal(p.circle, p.body.proposal, signer, recordedAt, state);
  const allowed = choicesFor(proposal.kind, proposal.regime);
  if (!allowed.includes(p.body.choice)) {
    throw new DomainError('CHOICE_NOT_ALLOWED', `Choices here: ${allowed.join(', ')}`, 'body.choice');
  }
  if (p.body.choice === 'object' && !p.body.reason?.trim()) {
    throw new DomainError('REASON_REQUIRED', 'An objection carries its reason', 'body.reason');
  }
  return {
    effects: [{ kind: 'vote.set', proposal: proposal.id, member: signer, choice: p.body.choice, reason: p.body.reason ?? null, at: recordedAt }],
    followUps: [],
  };
}

export function decideVoteRetract(p: PayloadOf<'vote.retract'>, signer: string, recordedAt: number, state: StateView): Decision {
  const proposal = votableProposal(p.circle, p.body.proposal, signer, recordedAt, state);
  if (!state.hasVote(proposal.id, signer)) throw new DomainError('NO_VOTE', 'There is no vote of yours to retract', 'body.proposal');
  return { effects: [{ kind: 'vote.set', proposal: proposal.id, member: signer, choice: null, reason: null, at: recordedAt }], followUps: [] };
}
