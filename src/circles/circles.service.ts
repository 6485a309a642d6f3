import { Injectable } from '@nestjs/common';
import { DomainError } from '../core/rules/domain-error';
import { MembersRepository } from '../identity/members.repository';
import { LedgerRepository } from '../ledger/ledger.repository';
import { CirclesRepository } from './circles.repository';

@Injectable()
export class CirclesService {
  constructor(
    private readonly circles: CirclesRepository,
    private readonly ledger: LedgerRepository,
    private readonly members: MembersRepository,
  ) {}

  async circle(id: string) {
    const [state, head] = await Promise.all([this.circles.circleState(id), this.ledger.head(id)]);
    if (!state) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${id}`);
    const { name, parent, children, members, regime, params } = state;
    return { id, name, parent, children, members, regime, params, size: head?.size ?? 0 };
  }

  async member(id: string) {
    const member = await this.members.member(id);
    if (!member) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${id}`);
    return { id: member.id, name: member.name, jwk: member.jwk };
  }
}
