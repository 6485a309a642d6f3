// Exit statuses and the errors behind them, shared by every command of `archipel`.
import { CheckpointFailure, VerificationFailure } from '../core/verify/verify-log';

/** Documented in docs/cli.md; scripts rely on them. */
export const EXIT = {
  /** done (verified, appended, shown) */
  OK: 0,
  /** a log or a checkpoint failed verification */
  FAILED: 1,
  /** bad command line */
  USAGE: 2,
  /** an input could not be read (missing file, unreachable instance, HTTP error without an API body) */
  UNREADABLE: 3,
  /** the instance refused: its error code and message are printed */
  REFUSED: 4,
  /** no usable profile: run `archipel init` first, or pick one with --profile */
  NO_PROFILE: 5,
  /** the instance failed (5xx): try again later */
  INSTANCE_FAILED: 6,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** A bad command line (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An input that could not be read or is not what its path promises (exit 3). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** A verdict against one of the logs or checkpoints (exit 1). */
export class VerifyFailed extends Error {
  override readonly name = 'VerifyFailed';

  constructor(
    /** what failed: 'circle log', 'registry log', 'checkpoint', 'registry checkpoint', 'instance' */
    readonly subject: string,
    readonly code: string,
    readonly reason: string,
    /** the entry's position, for a log failure */
    readonly seq: number | null = null,
  ) {
    super(seq === null ? `${subject}: ${reason}` : `seq ${seq}: ${reason}`);
  }
}

export function failedFrom(subject: string, e: unknown): unknown {
  if (e instanceof VerificationFailure) return new VerifyFailed(subject, e.code, e.reason, e.seq);
  if (e instanceof CheckpointFailure) return new VerifyFailed(subject, e.code, e.reason);
  return e;
}


/** The instance answered a refusal `{code, message, field?}` (exit 4, or 6 for a 5xx). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** No profile to act as (exit 5). */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}
