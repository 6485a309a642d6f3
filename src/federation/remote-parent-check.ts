// SPEC §4, §12.2: the creator of a circle must be a member of its parent. When the parent is on
// another instance, that instance is asked before the genesis is appended here (it checks again
// when it records the child, from the signed genesis).
import { Injectable } from '@nestjs/common';
import { parseQualifiedCircleId } from '../core/formats/ids';
import { DomainError } from '../core/rules/domain-error';
import { FederationSettings } from './federation-settings';
import { PeerAnswer, PeerClient } from './peer-client';

@Injectable()
export class RemoteParentCheck {
  constructor(
    private readonly settings: FederationSettings,
    private readonly client: PeerClient,
  ) {}

  async check(parent: string, member: string): Promise<void> {
    const where = parseQualifiedCircleId(parent);
    if (!where) throw new DomainError('UNKNOWN_CIRCLE', `${parent} is not a qualified circle id`, 'body.parent');
    if (where.instance === this.settings.instanceName) {
      throw new DomainError('PEER_BAD_REQUEST', `${parent} is a circle of this instance: name it by its plain id ${where.circle}`, 'body.parent');
    }
    await this.client.trusted(where.instance);
    let circle: { members?: unknown };
    try {
      circle = await this.client.get<{ members?: unknown }>(where.instance, `/api/v1/circles/${where.circle}`);
    } catch (e) {
      if (e instanceof PeerAnswer && e.status === 404) throw new DomainError('UNKNOWN_CIRCLE', `${where.instance} has no circle ${where.circle}`, 'body.parent');
      if (e instanceof PeerAnswer) throw new DomainError('PEER_UNREACHABLE', e.message);
      throw e;
    }
    if (!Array.isArray(circle.members) || !circle.members.includes(member)) {
      throw new DomainError('NOT_A_MEMBER', `The creator must be a member of the parent circle ${parent}`, 'body.parent');
    }
  }
}
