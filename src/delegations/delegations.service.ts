import { Injectable } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { ProposalsRepository } from '../proposals/proposals.repository';
import { delegationGraph } from '../core/governance/graph';
import { isProposalId } from '../core/formats/ids';

@Injectable()
export class DelegationsService {
  constructor(private readonly proposals: ProposalsRepository) {}

  /** A circle's current delegations; with a proposal, who counts for whom on it (SPEC §5.2). */
  async circleGraph(circle: string, proposalId?: string) {
    const delegations = await this.proposals.currentDelegations(circle);
    if (!proposalId) return { circle, delegations };
    // A malformed id names no proposal: answered without asking the database.
    const p = isProposalId(proposalId) ? await this.proposals.proposal(proposalId) : null;
    if (!p || p.circle !== circle) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${proposalId} in this circle`, 'proposal');
    // The state at close for a closed proposal; the state now for an open one.
    const at = p.result ? p.closesAt : Math.min(Date.now() + 1, p.closesAt);
    const inputs = await this.proposals.tallyInputs(p, at);
    const graph = delegationGraph({ eligible: inputs.eligible, voters: new Set(inputs.votes.keys()), delegations: inputs.delegations, topic: p.topic });
    return { circle, delegations, proposal: { id: p.id, E: inputs.eligible.length, ...graph } };
  }

  async ofMember(member: string) {
    const rows = await this.proposals.delegationsOfMember(member);
    return {
      member,
      outgoing: rows.filter((r) => r.member === member).map(({ member: _m, ...r }) => r),
      incoming: rows.filter((r) => r.delegate === member).map(({ delegate: _d, ...r }) => r),
    };
  }
}
