// SPEC §3.4, §4: the rules of circle creation and membership (registration: key-rules.ts).
import { DomainError } from './domain-error';
import { validateParams } from '../governance/params';
import { isRemoteCircle } from '../formats/ids';
import type { PayloadOf } from '../formats/statement-types';
import type { Decision, StateView } from './state';

const none: Decision = { effects: [], followUps: [] };

/** `circleId` is derived from the genesis JWS (SPEC §3.4) by the caller. */
export function decideCircleCreate(p: PayloadOf<'circle.create'>, signer: string, circleId: string, state: StateView): Decision {
  const { name, parent, regime, params } = p.body;
  const remoteParent = parent !== undefined && isRemoteCircle(parent);
  // SPEC §12.2: a parent on another instance is checked there, when its instance records the child.
  if (parent !== undefined && !remoteParent) {
    if (!state.circle(parent)) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${parent}`, 'body.parent');
    if (!state.isMember(parent, signer)) throw new DomainError('NOT_A_MEMBER', 'The creator must be a member of the parent circle', 'body.parent');
  }
  const checked = validateParams(params ?? {});
  if (!checked.ok) throw new DomainError("INVALID_PARAMS", checked.message, `body.${checked.field}`);
  const effects: Decision['effects'] = [
    { kind: 'circle.created', circle: { id: circleId, name, parent: parent ?? null, regime, params: params ?? {} }, genesisLeaf: null },
    { kind: 'member.joined', circle: circleId, member: signer },
  ];
  return { effects, ...childRecord(circleId, parent ?? null) };
}

/**
 * SPEC §4, §7, §12.2: a new circle is recorded in its parent's log with `child.created`: appended
 * with the genesis when the parent is here, announced to the parent's instance when it is not.
 */
export function childRecord(circleId: string, parent: string | null): Pick<Decision, 'followUps' | 'jobs'> {
  if (parent === null) return { followUps: [] };
  if (isRemoteCircle(parent)) return { followUps: [], jobs: [{ kind: 'announce-child', circle: circleId }] };
  return { followUps: [{ circle: parent, draft: (leaf) => ({ type: 'child.created', circle: parent, body: { child: circleId, genesis: { leaf } } }) }] };
}

/** SPEC §4, §12.2: a child on another instance, recorded here from its signed genesis. */
export function decideChildCreated(p: PayloadOf<'child.created'>, state: StateView): Decision {
  requireCircle(p.circle, state);
  if (!isRemoteCircle(p.body.child)) return none;
  return { ...none, effects: [{ kind: 'remote.child.recorded', parent: p.circle, child: p.body.child }] };
}

export function decideInvite(p: PayloadOf<'member.invite'>, signer: string, state: StateView): Decision {
  requireCircleMember(p.circle, signer, state);
  const invitee = p.body.member;
  if (!state.member(invitee)) throw new DomainError('UNKNOWN_MEMBER', `No registered member ${invitee}`, 'body.member');
  if (state.isMember(p.circle, invitee)) throw new DomainError('ALREADY_MEMBER', 'Already a member of this circle', 'body.member');
  return { ...none, effects: [{ kind: 'member.invited', circle: p.circle, member: invitee, by: signer }] };
}

export function decideAccept(p: PayloadOf<'member.accept'>, signer: string, state: StateView): Decision {
  requireCircle(p.circle, state);
  if (state.isMember(p.circle, signer)) throw new DomainError('ALREADY_MEMBER', 'Already a member of this circle');
  if (!state.hasPendingInvitation(p.circle, signer)) throw new DomainError('NOT_INVITED', 'No pending invitation to this circle');
  return { ...none, effects: [{ kind: 'member.joined', circle: p.circle, member: signer }] };
}

/** SPEC §4: she leaves; the delegations she gave in the circle lapse. */
export function decideLeave(p: PayloadOf<'member.leave'>, signer: string, recordedAt: number, state: StateView): Decision {
  requireCircleMember(p.circle, signer, state);
  return {
    ...none,
    effects: [
      { kind: 'member.left', circle: p.circle, member: signer },
      { kind: 'delegations.lapsed', circle: p.circle, member: signer, at: recordedAt },
    ],
  };
}

export function requireCircle(circle: string, state: StateView): void {
  if (!state.circle(circle)) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${circle}`, 'circle');
}

export function requireCircleMember(circle: string, member: string, state: StateView): void {
  requireCircle(circle, state);
  if (!state.isMember(circle, member)) throw new DomainError('NOT_A_MEMBER', 'Only members of the circle may do this', 'kid');
}
