// Expected refusals (SPEC §10) are domain errors carrying a stable UPPER_SNAKE_CASE code, mapped
// to an HTTP status in one place (common/error-status.ts). Pure: importable from domain code.

export class DomainError<C extends string = string> extends Error {
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
