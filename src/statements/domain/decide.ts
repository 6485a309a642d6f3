// SPEC §4: which rule decides each statement type. Pure; shared by the server and the verifier.
import { DomainError } from '../../common/domain-error';
import { decideAccept, decideCircleCreate, decideInvite, decideLeave, decideRegister } from '../../circles/domain/circle-rules';
import type { Ed25519PublicJwk } from '../../identity/domain/keys';
import type { StatementPayload } from '../../identity/domain/statement-types';
import { sha256 } from '../../ledger/domain/merkle';
import { Decision, REGISTRY, StateView } from './state';

export interface StatementContext {
  payload: StatementPayload;
  signer: string;
  /** The compact JWS as received: circle and proposal ids derive from it. */
  jws: string;
  /** The public key in the header of a `member.register`. */
  jwk?: Ed25519PublicJwk;
}

/** SPEC §3.4 / §3.7: base64url of the first 16 bytes of SHA-256 over the JWS compact string. */
export function derivedId(jws: string): string {
  return Buffer.from(sha256(Buffer.from(jws, 'utf8')).subarray(0, 16)).toString('base64url');
}

/** The log a statement is appended to. */
export function targetLog(ctx: StatementContext): string {
  const p = ctx.payload;
  if (p.type === 'member.register') return REGISTRY;
  if (p.type === 'circle.create' || p.type === 'circle.forked') return derivedId(ctx.jws);
  return p.circle as string;
}

export function isGenesis(ctx: StatementContext): boolean {
  return ctx.payload.type === 'circle.create' || ctx.payload.type === 'circle.forked';
}

export function decide(ctx: StatementContext, state: StateView): Decision {
  const p = ctx.payload;
  switch (p.type) {
    case 'member.register':
      if (!ctx.jwk) throw new DomainError('BAD_HEADER', 'member.register carries its public jwk', 'jwk');
      return decideRegister(p, ctx.signer, ctx.jwk, state);
    case 'circle.create':
      return decideCircleCreate(p, ctx.signer, derivedId(ctx.jws), state);
    case 'member.invite':
      return decideInvite(p, ctx.signer, state);
    case 'member.accept':
      return decideAccept(p, ctx.signer, state);
    case 'member.leave':
      return decideLeave(p, ctx.signer, state);
    default:
      throw new DomainError('INVALID_STATEMENT', `Statements of type ${p.type} are not accepted by this instance yet`, 'type');
  }
}
