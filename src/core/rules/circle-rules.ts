// SPEC §3.4, §4: the rules of circle creation and membership (registration: key-rules.ts).
import { DomainError } from './domain-error';
import { validateParams } from '../governance/params';
import type { PayloadOf } from '../formats/statement-types';
import type { Decision, StateView } from './state';

const none: Decision = { effects: [], followUps: [] };

/** `circleId` is derived from the genesis JWS (SPEC §3.4) by the caller. */
export function decideCircleCreate(p: PayloadOf<'circle.create'>, signer: string, circleId: string, state: StateView): Decision {
  const { name, parent, regime, params } = p.body;
  if (parent !== undefined) {
    if (!state.circle(parent)) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${parent}`, 'body.parent');
    if (!state.isMember(parent, signer)) throw new DomainError('NOT_A_MEMBER', 'The creator must be a member of the parent circle', 'body.parent');
  }
  const checked = validateParams(params ?? {});
  if (!checked.ok) throw new DomainError("INVALID_PARAMS", checked.message, `body.${checked.field}`);
  const effects: Decision['effects'] = [
    { kind: 'circle.created', circle: { id: circleId, name, parent: parent ?? null, regime, params: params ?? {} }, genesisLeaf: null },
    { kind: 'member.joined', circle: circleId, member: signer },
  ];
  const followUps: Decision['followUps'] =
    parent === undefined
      ? []
      : [{ circle: parent, draft: (leaf) => ({ type: 'child.created', circle: parent, body: { child: circleId, genesis: { leaf } } }) }];
  return { effects, followUps };
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
