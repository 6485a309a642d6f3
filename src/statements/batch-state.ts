// The slice of projected state one append batch needs, loaded in bulk, then kept current in
// memory as the batch's statements are decided one after the other.
import type { StatementPayload } from '../identity/domain/statement-types';
import { CircleState, Effect, MemberState, StateView } from './domain/state';

export interface StateNeeds {
  members: Set<string>;
  circles: Set<string>;
  /** `circle member` pairs. */
  memberships: Set<string>;
  invitations: Set<string>;
}

export function emptyNeeds(): StateNeeds {
  return { members: new Set(), circles: new Set(), memberships: new Set(), invitations: new Set() };
}

const pair = (circle: string, member: string) => `${circle} ${member}`;

/** What deciding this statement may look up. */
export function addNeeds(needs: StateNeeds, p: StatementPayload, signer: string): void {
  needs.members.add(signer);
  if (p.type === 'circle.create') {
    if (p.body.parent) {
      needs.circles.add(p.body.parent);
      needs.memberships.add(pair(p.body.parent, signer));
    }
    return;
  }
  if (!p.circle) return;
  needs.circles.add(p.circle);
  needs.memberships.add(pair(p.circle, signer));
  needs.invitations.add(pair(p.circle, signer));
  const body = p.body as { member?: unknown; to?: unknown };
  for (const other of [body.member, body.to]) {
    if (typeof other === 'string') {
      needs.members.add(other);
      needs.memberships.add(pair(p.circle, other));
    }
  }
}

export interface LoadedState {
  members: MemberState[];
  circles: CircleState[];
  memberships: Array<[string, string]>;
  invitations: Array<[string, string]>;
}

export class BatchState implements StateView {
  private readonly members = new Map<string, MemberState>();
  private readonly circles = new Map<string, CircleState>();
  private readonly memberships = new Set<string>();
  private readonly invitations = new Set<string>();

  constructor(loaded: LoadedState) {
    for (const m of loaded.members) this.members.set(m.id, m);
    for (const c of loaded.circles) this.circles.set(c.id, c);
    for (const [c, m] of loaded.memberships) this.memberships.add(pair(c, m));
    for (const [c, m] of loaded.invitations) this.invitations.add(pair(c, m));
  }

  member(id: string): MemberState | undefined {
    return this.members.get(id);
  }

  circle(id: string): CircleState | undefined {
    return this.circles.get(id);
  }

  isMember(circle: string, member: string): boolean {
    return this.memberships.has(pair(circle, member));
  }

  hasPendingInvitation(circle: string, member: string): boolean {
    return this.invitations.has(pair(circle, member));
  }

  apply(effect: Effect): void {
    switch (effect.kind) {
      case 'member.registered':
        this.members.set(effect.member.id, effect.member);
        return;
      case 'circle.created':
        this.circles.set(effect.circle.id, effect.circle);
        return;
      case 'member.invited':
        this.invitations.add(pair(effect.circle, effect.member));
        return;
      case 'member.joined':
        this.memberships.add(pair(effect.circle, effect.member));
        this.invitations.delete(pair(effect.circle, effect.member));
        return;
      case 'member.left':
        this.memberships.delete(pair(effect.circle, effect.member));
        return;
    }
  }
}
