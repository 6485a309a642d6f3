// SPEC §4: which rule decides each statement type. Pure; shared by the server and the verifier.
import { assertUnreachable, DomainError } from './domain-error';
import { decideAccept, decideChildCreated, decideCircleCreate, decideInvite, decideLeave } from './circle-rules';
import { decideKeyAdd, decideKeyRevoke, decideRecoverySet, decideRegister } from './key-rules';
import type { Ed25519PublicJwk } from '../formats/keys';
import { isRegistryType, type StatementPayload } from '../formats/statement-types';
import { derivedId } from '../formats/ids';
import { decideDelegationRevoke, decideDelegationSet } from './delegation-rules';
import { decideProposalOpen, decideTallyResult } from './proposal-rules';
import { decideChildDecision } from './receipt-rules';
import { decideRegimeChanged, decideRegimePosition } from './cursor-rules';
import { decideVoteCast, decideVoteRetract } from './vote-rules';
import { decideCircleForked, decideCircleSplit } from './fork-rules';
import { CarriedDelegation, Decision, Policy, REGISTRY, StateView } from './state';

export interface StatementContext {
  payload: StatementPayload;
  /** The member the signing key belongs to (SPEC §11): every rule's "the member". The instance kid for system statements. */
  signer: string;
  /** The signing key's thumbprint (the header's `kid`) when it is not `signer` itself. */
  kid?: string;
  /** The compact JWS as received: circle and proposal ids derive from it. */
  jws: string;
  /** The public key in the header of a `member.register`. */
  jwk?: Ed25519PublicJwk;
  /** For a `circle.forked` genesis: its carried delegations, resolved from the original log. */
  carried?: CarriedDelegation[];
}

/** When: the `recordedAt` its entry gets, and the server clock when the statement arrived. */
export interface Timing {
  recordedAt: number;
  receivedAt: number;
}


/** The log a statement is appended to. */
export function targetLog(ctx: StatementContext): string {
  const p = ctx.payload;
  if (isRegistryType(p.type)) return REGISTRY;
  if (p.type === 'circle.create' || p.type === 'circle.forked') return derivedId(ctx.jws);
  return p.circle as string;
}

export function isGenesis(ctx: StatementContext): boolean {
  return ctx.payload.type === 'circle.create' || ctx.payload.type === 'circle.forked';
}

export function decide(ctx: StatementContext, when: Timing, state: StateView, policy: Policy): Decision {
  const p = ctx.payload;
  const { recordedAt } = when;
  switch (p.type) {
    case 'member.register':
      if (!ctx.jwk) throw new DomainError('BAD_HEADER', 'member.register carries its public jwk', 'jwk');
      return decideRegister(p, ctx.signer, ctx.jwk, state, recordedAt);
    case 'member.key.add':
      return decideKeyAdd(p, ctx.signer, state, recordedAt);
    case 'member.key.revoke':
      return decideKeyRevoke(p, ctx.signer, ctx.kid ?? ctx.signer, state, recordedAt);
    case 'member.recovery.set':
      return decideRecoverySet(p, ctx.signer, state, recordedAt);
    case 'circle.create':
      return decideCircleCreate(p, ctx.signer, derivedId(ctx.jws), state);
    case 'member.invite':
      return decideInvite(p, ctx.signer, state);
    case 'member.accept':
      return decideAccept(p, ctx.signer, state);
    case 'member.leave':
      return decideLeave(p, ctx.signer, recordedAt, state);
    case 'proposal.open':
      return decideProposalOpen(p, { id: derivedId(ctx.jws), signer: ctx.signer, ...when }, state, policy);
    case 'vote.cast':
      return decideVoteCast(p, ctx.signer, recordedAt, state);
    case 'vote.retract':
      return decideVoteRetract(p, ctx.signer, recordedAt, state);
    case 'delegation.set':
      return decideDelegationSet(p, ctx.signer, recordedAt, state);
    case 'delegation.revoke':
      return decideDelegationRevoke(p, ctx.signer, recordedAt, state);
    case 'tally.result':
      return decideTallyResult(p, recordedAt, state);
    case 'regime.position':
      return decideRegimePosition(p, ctx.signer, state);
    case 'regime.changed':
      return decideRegimeChanged(p, state);
    case 'circle.forked':
      return decideCircleForked(p, derivedId(ctx.jws), recordedAt, ctx.carried ?? [], state);
    case 'circle.split':
      return decideCircleSplit(p, recordedAt, state);
    case 'child.decision':
      return decideChildDecision(p, state);
    case 'child.created':
      // Appended with a sub-circle's genesis (the child's own log proves it), or from a child's
      // signed genesis sent by its instance (§12.2).
      return decideChildCreated(p, state);
    default:
      return assertUnreachable(p);
  }
}
