// SPEC §7: forking a circle. The new circle's genesis is a `circle.forked` system statement; the
// original's log records `circle.split`; the parent records the new child. Delegations between
// members on different sides lapse; those within the new circle are carried over.
import { DomainError } from './domain-error';
import { childRecord } from './circle-rules';
import type { PayloadOf } from '../formats/statement-types';
import type { CarriedDelegation, Decision, Effect, StateView } from './state';

export function decideCircleForked(
  p: PayloadOf<'circle.forked'>,
  circleId: string,
  recordedAt: number,
  carried: readonly CarriedDelegation[],
  state: StateView,
): Decision {
  const b = p.body;
  const original = state.circle(b.from);
  if (!original) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${b.from}`, 'body.from');
  const leavers = [...b.members];
  for (const m of leavers) if (!state.isMember(b.from, m)) throw new DomainError('NOT_A_MEMBER', `${m} is not a member of ${b.from}`, 'body.members');
  if (carried.length !== b.delegations.length || carried.some((d, i) => d.leaf !== b.delegations[i])) {
    throw new DomainError('INVALID_STATEMENT', 'The carried delegations do not match the genesis', 'body.delegations');
  }
  const inside = new Set(leavers);
  for (const d of carried) {
    if (!inside.has(d.member) || !inside.has(d.delegate)) throw new DomainError('INVALID_STATEMENT', 'Only delegations within the new circle are carried', 'body.delegations');
  }
  const effects: Effect[] = [
    {
      kind: 'circle.created',
      circle: { id: circleId, name: b.name, parent: b.parent, regime: b.regime, params: b.params },
      genesisLeaf: null,
      forkedFrom: b.from,
      forkCause: b.cause,
    },
    ...leavers.map((member): Effect => ({ kind: 'member.joined', circle: circleId, member })),
    ...carried.map((d): Effect => ({ kind: 'delegation.set', circle: circleId, member: d.member, scope: d.scope, delegate: d.delegate, at: recordedAt })),
  ];
  const splitBody = { newCircle: circleId, members: leavers, cause: b.cause };
  const followUps: Decision['followUps'] = [
    { circle: b.from, draft: () => ({ type: 'circle.split', circle: b.from, body: splitBody }), effects: splitEffects(b.from, splitBody.members, recordedAt) },
  ];
  const record = childRecord(circleId, b.parent);
  return { effects, followUps: [...followUps, ...record.followUps], jobs: record.jobs };
}

/** In the original circle: those who left go, with their delegations and the delegations to them. */
export function splitEffects(circle: string, leavers: readonly string[], at: number): Effect[] {
  return [
    ...leavers.flatMap((member): Effect[] => [
      { kind: 'member.left', circle, member },
      { kind: 'delegations.lapsed', circle, member, at },
    ]),
    { kind: 'delegations.to.lapsed', circle, delegates: [...leavers], at },
  ];
}

/** Replaying the original log: `circle.split` records who left (SPEC §7). */
export function decideCircleSplit(p: PayloadOf<'circle.split'>, recordedAt: number, state: StateView): Decision {
  for (const m of p.body.members) if (!state.isMember(p.circle, m)) throw new DomainError('NOT_A_MEMBER', `${m} is not a member`, 'body.members');
  return { effects: splitEffects(p.circle, p.body.members, recordedAt), followUps: [] };
}
