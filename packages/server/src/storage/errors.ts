import { StorageUnavailableError } from '../errors.ts';

/** A unique constraint was violated (PostgreSQL SQLSTATE 23505). */
export class UniqueViolationError extends Error {
  readonly constraint: string | undefined;
  constructor(constraint: string | undefined, cause: unknown) {
    super(`unique constraint violated${constraint ? `: ${constraint}` : ''}`, { cause });
    this.name = 'UniqueViolationError';
    this.constraint = constraint;
  }
}

// SQLSTATE classes that mean "the database is not reachable or not accepting work right now".
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN', // DNS not answering yet (a database container starting, a flapping resolver)
]);

/** Maps a driver error to Sigil's storage errors; anything else is returned unchanged. */
export function translateDatabaseError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const code = (error as { code?: unknown }).code;
  if (code === '23505') return new UniqueViolationError((error as { constraint?: string }).constraint, error);
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) {
    return new StorageUnavailableError(error);
  }
  // node-postgres reports these without a code; "Query read timeout" is postgres.ts's query_timeout
  // firing because the server stopped answering mid-query.
  const message = (error as { message?: unknown }).message;
  if (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end|Query read timeout/i.test(
      message,
    )
  ) {
    return new StorageUnavailableError(error);
  }
  return error;
}
