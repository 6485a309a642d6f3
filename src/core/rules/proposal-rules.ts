// SPEC §3.8, §4, §5: opening and closing proposals.
import { DomainError } from './domain-error';
import { requireCircleMember } from './circle-rules';
import type { PayloadOf } from '../formats/statement-types';
import { parseTimestamp } from '../formats/canonical-json';
import { amendmentsCloseAt, countOccurrences } from '../governance/amendments';
import type { Decision, Effect, Policy, ProposalState, StateView } from './state';
import { freezeParams, isRegimeName, paramRatio, Params, validateParams } from '../governance/params';

export interface OpeningContext {
  /** The proposal id, derived from the opening JWS (SPEC §3.7). */
  id: string;
  signer: string;
  /** The `recordedAt` of the opening entry, and the server clock when the statement arrived. */
  recordedAt: number;
  receivedAt: number;
}

export function decideProposalOpen(p: PayloadOf<'proposal.open'>, ctx: OpeningContext, state: StateView, policy: Policy): Decision {
  const b = p.body;
  // A ratification motion is opened by the instance itself (SPEC §8): no membership, no minimum
  // window (its window is the child motion's).
  const ratification = b.kind === 'motion' && b.ratifies !== undefined;
  if (ratification) {
    if (!state.circle(p.circle)) throw new DomainError('UNKNOWN_CIRCLE', `No circle ${p.circle}`, 'circle');
  } else requireCircleMember(p.circle, ctx.signer, state);
  const circle = state.circle(p.circle)!;
  const closesAt = parseTimestamp(b.closesAt) as number;
  if (b.kind === 'amendment') checkAmendment(p.circle, b, closesAt, ctx.recordedAt, state);
  else if (!ratification && closesAt - ctx.receivedAt < policy.minProposalWindowMs) {
    throw new DomainError('WINDOW_TOO_SHORT', `closesAt must be at least ${policy.minProposalWindowMs / 1000} s ahead`, 'body.closesAt');
  }
  if (b.doer !== undefined && !state.isMember(p.circle, b.doer)) {
    throw new DomainError('NOT_A_MEMBER', 'The doer must be a member of the circle', 'body.doer');
  }
  if (b.kind === 'membership' && !state.isMember(p.circle, b.member)) {
    throw new DomainError('NOT_A_MEMBER', 'Only a current member can be removed', 'body.member');
  }
  if (b.kind === 'regime') {
    const checked = validateParams(b.params);
    if (!checked.ok) throw new DomainError('INVALID_PARAMS', checked.message, `body.${checked.field}`);
  }
  if (!isRegimeName(circle.regime)) throw new Error(`Circle ${circle.id} has an unknown regime ${circle.regime}`);
  const params = freezeParams(circle.params as Partial<Params>);
  const { kind, title, text, topic, closesAt: _closes, ...rest } = b as typeof b & { topic?: string | null };
  const amendingEnds =
    circle.regime === 'amendment' && kind === 'motion' ? amendmentsCloseAt(ctx.recordedAt, closesAt, paramRatio(params, 'amendingShare')) : null;
  const opened: Effect = {
    kind: 'proposal.opened',
    proposal: {
      id: ctx.id,
      circle: p.circle,
      kind,
      regime: circle.regime,
      params,
      topic: topic ?? null,
      openedSeq: -1, // set by the writer, which knows the entry's seq
      openedAt: ctx.recordedAt,
      closesAt,
      amendmentsCloseAt: amendingEnds,
      closed: false,
      title,
      text,
      openedBy: ctx.signer,
      body: rest as Record<string, unknown>,
    },
  };
  return { effects: [opened], followUps: [], jobs: [{ kind: 'close-proposal', proposal: ctx.id, at: closesAt }] };
}

/**
 * SPEC §5.3, §5.4: an amendment targets an open motion decided under the amendment regime, during
 * its amending phase, closes when that phase ends, and its `find` occurs exactly once in the text.
 */
function checkAmendment(circle: string, b: { target: string; find: string }, closesAt: number, recordedAt: number, state: StateView): void {
  const target = state.proposal(b.target);
  if (!target || target.circle !== circle) throw new DomainError('UNKNOWN_PROPOSAL', `No motion ${b.target} in this circle`, 'body.target');
  if (target.kind !== 'motion' || target.regime !== 'amendment' || target.amendmentsCloseAt === null) {
    throw new DomainError('NOT_AMENDABLE', 'Only motions decided under the amendment regime take amendments', 'body.target');
  }
  if (target.closed || recordedAt >= target.amendmentsCloseAt) {
    throw new DomainError('WRONG_PHASE', 'The motion is past its amending phase', 'body.target');
  }
  if (closesAt !== target.amendmentsCloseAt) {
    throw new DomainError('WRONG_PHASE', `An amendment closes when its motion's amending phase ends (${new Date(target.amendmentsCloseAt).toISOString()})`, 'body.closesAt');
  }
  const found = countOccurrences(target.text, b.find);
  if (found !== 1) throw new DomainError('AMENDMENT_FIND_MISMATCH', `find occurs ${found} times in the motion's text; it must occur exactly once`, 'body.find');
}

/**
 * A `tally.result` appended by the instance: the proposal must be open and past its deadline, and
 * the result takes effect now (SPEC §5.4: a regime change, a removal).
 */
export function decideTallyResult(p: PayloadOf<'tally.result'>, recordedAt: number, state: StateView): Decision {
  const proposal = state.proposal(p.body.proposal);
  if (!proposal || proposal.circle !== p.circle) throw new DomainError('UNKNOWN_PROPOSAL', `No proposal ${p.body.proposal} in this circle`);
  if (proposal.closed) throw new DomainError('PROPOSAL_CLOSED', 'This proposal already has its tally');
  if (recordedAt < proposal.closesAt) throw new DomainError('WRONG_PHASE', 'A proposal is tallied after its closesAt');
  const effects: Effect[] = [{ kind: 'proposal.closed', proposal: proposal.id, result: p.body }];
  if (p.body.outcome === 'adopted') effects.push(...adoptionEffects(proposal, recordedAt, state));
  // SPEC §8: adopted decisions (and forks) are reported to every ancestor, starting with the parent.
  const parent = state.circle(p.circle)?.parent;
  const jobs: Decision['jobs'] = parent && p.body.outcome !== 'rejected' ? [{ kind: 'propagate', circle: p.circle, seq: -1, ancestor: parent }] : [];
  // SPEC §7: a fork is executed by a worker, after this entry (the last shared one) is committed.
  if (p.body.outcome === 'forked') jobs.push({ kind: 'fork', circle: p.circle, proposal: proposal.id });
  return { effects, followUps: [], jobs };
}

/** What an adopted proposal changes, at its `tally.result` entry (SPEC §5.3, §5.4). */
function adoptionEffects(proposal: ProposalState, at: number, state: StateView): Effect[] {
  const { circle, body } = proposal;
  if (proposal.kind === 'regime') {
    // A regime proposal's params are merged over the circle's current ones.
    const current = state.circle(circle)?.params ?? {};
    return [{ kind: 'circle.regime', circle, regime: body.regime as string, params: { ...current, ...(body.params as object) } }];
  }
  if (proposal.kind === 'membership') {
    // If she already left, these change nothing (her membership and delegations have ended).
    const member = body.member as string;
    return [
      { kind: 'member.left', circle, member },
      { kind: 'delegations.lapsed', circle, member, at },
    ];
  }
  return [];
}
