// SPEC §4, §5.2: setting and revoking delegations.
import { DomainError } from './domain-error';
import { requireCircleMember } from './circle-rules';
import type { PayloadOf } from '../formats/statement-types';
import { type Decision, scopeOf, type StateView } from './state';

export function decideDelegationSet(p: PayloadOf<'delegation.set'>, signer: string, recordedAt: number, state: StateView): Decision {
  requireCircleMember(p.circle, signer, state);
  if (p.body.to === signer) throw new DomainError('SELF_DELEGATION', 'A member cannot delegate to herself', 'body.to');
  if (!state.isMember(p.circle, p.body.to)) throw new DomainError('DELEGATE_NOT_MEMBER', 'The delegate must be a member of the circle', 'body.to');
  const scope = scopeOf(p.body.scope);
  if (scope.kind === 'proposal') {
    const proposal = state.proposal(scope.value);
    if (!proposal || proposal.circle !== p.circle) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${scope.value} in this circle`, 'body.scope.proposal');
    if (proposal.closed || recordedAt >= proposal.closesAt) throw new DomainError('PROPOSAL_CLOSED', 'This proposal is closed', 'body.scope.proposal');
  }
  return { effects: [{ kind: 'delegation.set', circle: p.circle, member: signer, scope, delegate: p.body.to, at: recordedAt }], followUps: [] };
}

export function decideDelegationRevoke(p: PayloadOf<'delegation.revoke'>, signer: string, recordedAt: number, state: StateView): Decision {
  requireCircleMember(p.circle, signer, state);
  const scope = scopeOf(p.body.scope);
  if (state.delegation(p.circle, signer, scope) === undefined) {
    throw new DomainError('NO_SUCH_DELEGATION', 'You have no delegation in this scope', 'body.scope');
  }
  return { effects: [{ kind: 'delegation.ended', circle: p.circle, member: signer, scope, at: recordedAt }], followUps: [] };
}
