/**
 * @sigil/core: what the Sigil packages share, free of any framework or runtime: the error-code
 * table, the error class, RFC 9457 problem details and RFC 6750 challenges. An internal package:
 * use it through @sigil/server, @sigil/express and @sigil/client, which re-export what apps need.
 */
export { ERROR_CODES, ERROR_STATUS, isErrorCode, type ErrorCode, type ErrorCodeTable } from './error-codes.ts';
export { SigilError, type FieldError, type SigilErrorOptions } from './sigil-error.ts';
export { PROBLEM_CONTENT_TYPE, sendProblem, toProblem, type ProblemDetails, type ProblemResponse } from './problem.ts';
export { bearerChallenge, type BearerChallenge } from './challenge.ts';
