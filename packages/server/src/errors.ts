/**
 * The auth server's errors: the shared {@link SigilError} and code table of @sigil/core, plus the
 * storage outage. Codes and their statuses are listed in docs/architecture.md ("Errors").
 */
import { SigilError } from '@sigil/core';

export { ERROR_CODES, SigilError, toProblem, type ErrorCode, type FieldError, type ProblemDetails } from '@sigil/core';

/** Raised when the database cannot be reached; maps to 503 so clients retry instead of logging out. */
export class StorageUnavailableError extends SigilError {
  constructor(cause?: unknown) {
    super('unavailable', 'Storage is temporarily unavailable', { cause });
  }
}
