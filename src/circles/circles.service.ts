import { Injectable } from '@nestjs/common';
import { decodeEntryLine } from '../core/formats/entry';
import { parseCompact } from '../core/formats/statement';
import type { BodyOf } from '../core/formats/statement-types';
import { DomainError } from '../core/rules/domain-error';
import { MembersRepository } from '../identity/members.repository';
import { KeysService } from '../identity/keys.service';
import { LedgerRepository } from '../ledger/ledger.repository';
import { CirclesRepository } from './circles.repository';
import type { CircleAnswer, CircleListAnswer, ForksAnswer, InvitationsAnswer, MemberAnswer, MemberCirclesAnswer } from './dto/circle.answers';
import { isCircleId } from '../core/formats/ids';

@Injectable()
export class CirclesService {
  constructor(
    private readonly circles: CirclesRepository,
    private readonly ledger: LedgerRepository,
    private readonly members: MembersRepository,
    private readonly keys: KeysService,
  ) {}

  async circle(id: string): Promise<CircleAnswer> {
    const [state, head, genesis] = await Promise.all([this.circles.circleState(id), this.ledger.head(id), this.circles.forkGenesis(id)]);
    if (!state) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${id}`);
    const { name, parent, children, members, regime, params } = state;
    const fork = genesis === null ? null : forkedBody(genesis);
    return {
      id,
      name,
      parent,
      children,
      members,
      regime: regime as CircleAnswer['regime'],
      params,
      size: head?.size ?? 0,
      forkedFrom: fork && { circle: fork.from, atSeq: fork.atSeq },
    };
  }

  async member(id: string): Promise<MemberAnswer> {
    const member = await this.members.member(id);
    if (!member) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${id}`);
    return { id: member.id, name: member.name, jwk: member.jwk, ...(await this.keys.ofMember(id)) };
  }

  /** Whether she is registered (the lists below answer UNKNOWN_MEMBER otherwise). */
  private async requireMember(id: string): Promise<void> {
    if (!(await this.members.member(id))) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${id}`);
  }

  async circlesOfMember(id: string): Promise<MemberCirclesAnswer> {
    await this.requireMember(id);
    return { items: (await this.circles.circlesOfMember(id)) as MemberCirclesAnswer['items'] };
  }

  async invitationsOf(id: string): Promise<InvitationsAnswer> {
    await this.requireMember(id);
    return { items: await this.circles.pendingInvitations(id) };
  }

  /** `parent`: a circle id, "root" (the circles without a parent), or undefined (every circle). */
  async list(parent: string | undefined): Promise<CircleListAnswer> {
    // A malformed id names no circle: answered without asking the database (a NUL byte, for one, is
    // not even a string PostgreSQL accepts).
    if (parent !== undefined && parent !== 'root' && !(isCircleId(parent) && (await this.circles.exists(parent)))) {
      throw new DomainError('UNKNOWN_CIRCLE', `No circle ${parent}: give a circle id, or "root" for the circles without a parent`, 'parent');
    }
    return { items: (await this.circles.circles(parent === 'root' ? null : parent)) as CircleListAnswer['items'] };
  }

  /** SPEC §7: the circles forked out of this one, with their last shared entry and members. */
  async forks(id: string): Promise<ForksAnswer> {
    if (!(await this.circles.exists(id))) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${id}`);
    const geneses = await this.circles.forkGeneses(id);
    return {
      items: geneses.map(({ circle, name, line }) => {
        const body = forkedBody(line);
        return { circle, name, proposal: body.cause, atSeq: body.atSeq, members: body.members };
      }),
    };
  }
}

/** The `circle.forked` body of a forked circle's genesis entry (SPEC §7), as stored. */
function forkedBody(line: string): BodyOf<'circle.forked'> {
  const decoded = decodeEntryLine(line);
  if (!decoded.ok) throw new Error(`Unreadable genesis entry: ${decoded.reason}`);
  const { payload } = parseCompact(decoded.entry.jws);
  if (payload.type !== 'circle.forked') throw new Error(`A forked circle's genesis is a ${payload.type}`);
  return payload.body;
}
