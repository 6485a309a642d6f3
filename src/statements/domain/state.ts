// The state a statement is decided against, and the effects an accepted statement has on it.
// One interface, two implementations: the server loads the slice a batch needs from its tables
// (statements/batch-state.ts); the offline verifier replays whole logs in memory. The rules in
// */domain/*-rules.ts are written once against this interface.
import type { Ed25519PublicJwk } from '../../identity/domain/keys';
import type { Params } from '../../identity/domain/statement-types';

export const REGISTRY = 'registry';

export interface CircleState {
  id: string;
  name: string;
  parent: string | null;
  regime: string;
  params: Params;
}

export interface MemberState {
  id: string;
  name: string;
  jwk: Ed25519PublicJwk;
}

export interface StateView {
  member(id: string): MemberState | undefined;
  circle(id: string): CircleState | undefined;
  isMember(circle: string, member: string): boolean;
  hasPendingInvitation(circle: string, member: string): boolean;
}

/** A change to the projected state, applied in the transaction that appends its entry. */
export type Effect =
  | { kind: 'member.registered'; member: MemberState }
  | { kind: 'circle.created'; circle: CircleState; genesisLeaf: string | null }
  | { kind: 'member.invited'; circle: string; member: string; by: string }
  | { kind: 'member.joined'; circle: string; member: string }
  | { kind: 'member.left'; circle: string; member: string };

/** A system statement the instance appends as a consequence, once the cause has its leaf. */
export interface FollowUp {
  circle: string;
  type: 'child.created';
  body: (causeLeaf: string) => Record<string, unknown>;
}

export interface Decision {
  effects: Effect[];
  followUps: FollowUp[];
}
