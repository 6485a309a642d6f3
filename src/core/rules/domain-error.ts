// Expected refusals (SPEC §10) are domain errors carrying a stable UPPER_SNAKE_CASE code, one union
// per feature, mapped to an HTTP status in one place (src/common/error-status.ts, an exhaustive
// map): a code outside these unions does not compile, and neither does one without a status.
import type { StatementErrorCode } from '../formats/statement';

/** The request itself, before any feature (the edges' own refusals). */
export type RequestErrorCode = 'INVALID_REQUEST' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'INTERNAL' | 'SERVICE_UNAVAILABLE';

/** Appending to a log, and reading it (SPEC §3.3, §3.6b, §3.8); PROOF_MISMATCH: the stored Merkle nodes do not prove against the instance's signed checkpoint, so no proof is served and the log is frozen. */
export type LedgerErrorCode = 'REPLAYED_STATEMENT' | 'SEEN_NOT_PREFIX' | 'UNKNOWN_CIRCLE' | 'INVALID_RANGE' | 'LOG_FROZEN' | 'PROOF_MISMATCH';

/** Members and circles (SPEC §4). */
export type CircleErrorCode = 'ALREADY_REGISTERED' | 'NOT_A_MEMBER' | 'ALREADY_MEMBER' | 'NOT_INVITED' | 'NOT_ALLOWED';

/** Proposals and votes (SPEC §5). */
export type ProposalErrorCode =
  | 'UNKNOWN_PROPOSAL'
  | 'PROPOSAL_CLOSED'
  | 'WRONG_PHASE'
  | 'CHOICE_NOT_ALLOWED'
  | 'REASON_REQUIRED'
  | 'WINDOW_TOO_SHORT'
  | 'NOT_ELIGIBLE'
  | 'INVALID_PARAMS'
  | 'NOT_AMENDABLE'
  | 'AMENDMENT_FIND_MISMATCH'
  | 'NO_VOTE';

/** Keys over time (SPEC §11). */
export type KeyErrorCode =
  /** the signing key (or the key named) is no key of anyone, or not active yet */
  | 'UNKNOWN_KEY'
  /** the signing key (or the key named) was revoked at or before this entry */
  | 'KEY_REVOKED'
  /** a recovery key signs only member.key.add and member.key.revoke */
  | 'RECOVERY_KEY_RESTRICTED'
  /** the key is already a key, a recovery key or a member id of someone */
  | 'KEY_IN_USE'
  /** the revocation would leave the member with no active key and no recovery key */
  | 'LAST_KEY';

/** Delegations (SPEC §4, §5.2). */
export type DelegationErrorCode = 'SELF_DELEGATION' | 'DELEGATE_NOT_MEMBER' | 'NO_SUCH_DELEGATION';

/** Witnessing (SPEC §12.1): a tlog-witness refusal, and a cosigned checkpoint not yet there. */
export type WitnessErrorCode =
  | 'WITNESS_MALFORMED_REQUEST'
  | 'WITNESS_UNKNOWN_ORIGIN'
  | 'WITNESS_NOT_SIGNED'
  | 'WITNESS_SIZE_CONFLICT'
  | 'WITNESS_INCONSISTENT'
  | 'NO_COSIGNED_CHECKPOINT';

/** Circles across instances (SPEC §12.2): what a peer sends, and peers this instance cannot reach. */
export type FederationErrorCode =
  /** the instance named (by a qualified id or a checkpoint origin) is not a configured peer */
  | 'UNKNOWN_PEER'
  /** a peer could not be reached, or answered something unusable: try again later */
  | 'PEER_UNREACHABLE'
  /** a peer's checkpoint, signature or inclusion proof does not verify against its pinned key */
  | 'PEER_BAD_PROOF'
  /** a peer showed two inconsistent checkpoints of one log: it is flagged, and held until an operator decides */
  | 'PEER_EQUIVOCATED'
  /** what a peer sent is not what this route takes (wrong statement type, wrong parent, wrong origin) */
  | 'PEER_BAD_REQUEST'
  /** the circle named is no child of any circle here (its child.created was never recorded) */
  | 'UNKNOWN_CHILD'
  /** a receipt's child checkpoint is not cosigned as this instance's PEER_WITNESS_POLICY asks: the sender waits for its witnesses and retries */
  | 'PEER_NOT_COSIGNED';

export type DomainErrorCode =
  | FederationErrorCode
  | WitnessErrorCode
  | RequestErrorCode
  | StatementErrorCode
  | LedgerErrorCode
  | CircleErrorCode
  | ProposalErrorCode
  | DelegationErrorCode
  | KeyErrorCode;

export class DomainError<C extends DomainErrorCode = DomainErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}
