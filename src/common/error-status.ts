// The one mapping from every stable error code to its HTTP status: `satisfies Record<ErrorCode, …>`
// makes a code of a feature's union (src/core/rules/domain-error.ts) that is not mapped here, or a
// code mapped here that no union names, a compile error (STYLE: exhaustive mapping).
import type { DomainErrorCode } from '../core/rules/domain-error';

export type ErrorCode = DomainErrorCode;

export const ERROR_STATUS = {
  // request shape (common)
  INVALID_REQUEST: 400,
  NOT_FOUND: 404,
  /** Operator routes (the queue dashboard) without valid credentials. */
  UNAUTHORIZED: 401,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  // statement envelope (core/formats/statement.ts)
  MALFORMED_JWS: 400,
  MALFORMED_JSON: 400,
  NOT_CANONICAL: 400,
  BAD_HEADER: 400,
  UNSUPPORTED_ALG: 400,
  BAD_SIGNATURE: 401,
  UNKNOWN_MEMBER: 404,
  INVALID_STATEMENT: 422,
  PAYLOAD_TOO_LARGE: 413,
  CLOCK_SKEW: 422,
  // ledger
  REPLAYED_STATEMENT: 409,
  SEEN_NOT_PREFIX: 409,
  UNKNOWN_CIRCLE: 404,
  INVALID_RANGE: 400,
  /** The self-audit found the log altered below the service; reads go on, appends wait for an operator. */
  LOG_FROZEN: 503,
  /** A proof from stored Merkle nodes that do not match the signed checkpoint: refused, the log frozen. */
  PROOF_MISMATCH: 503,
  // identity and circles
  ALREADY_REGISTERED: 409,
  NOT_A_MEMBER: 403,
  ALREADY_MEMBER: 409,
  NOT_INVITED: 403,
  NOT_ALLOWED: 403,
  // proposals, votes, delegations
  UNKNOWN_PROPOSAL: 404,
  PROPOSAL_CLOSED: 409,
  WRONG_PHASE: 409,
  CHOICE_NOT_ALLOWED: 422,
  REASON_REQUIRED: 422,
  WINDOW_TOO_SHORT: 422,
  NOT_ELIGIBLE: 403,
  INVALID_PARAMS: 422,
  NOT_AMENDABLE: 422,
  AMENDMENT_FIND_MISMATCH: 422,
  SELF_DELEGATION: 422,
  DELEGATE_NOT_MEMBER: 422,
  NO_SUCH_DELEGATION: 404,
  NO_VOTE: 409,
  // keys over time (SPEC §11)
  UNKNOWN_KEY: 404,
  KEY_REVOKED: 403,
  RECOVERY_KEY_RESTRICTED: 403,
  KEY_IN_USE: 409,
  LAST_KEY: 409,
  // witnessing (C2SP tlog-witness statuses)
  UNKNOWN_PEER: 422,
  PEER_UNREACHABLE: 503,
  PEER_BAD_PROOF: 422,
  PEER_EQUIVOCATED: 409,
  PEER_NOT_COSIGNED: 409,
  PEER_BAD_REQUEST: 422,
  UNKNOWN_CHILD: 404,
  WITNESS_MALFORMED_REQUEST: 400,
  WITNESS_UNKNOWN_ORIGIN: 404,
  WITNESS_NOT_SIGNED: 403,
  WITNESS_SIZE_CONFLICT: 409,
  WITNESS_INCONSISTENT: 422,
  NO_COSIGNED_CHECKPOINT: 404,
} as const satisfies Record<ErrorCode, number>;

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_STATUS, code);
}
