import { SigilClientError } from './errors.ts';

const CODE = 'insufficient_user_authentication';

/**
 * An API refused a valid access token because the sign-in behind it is too weak or too old for
 * that route (401 `insufficient_user_authentication`, RFC 9470): for example a second factor
 * within the last 5 minutes. The session is fine and stays; the user signs in again, with the
 * second factor (`stepUp` of `@sigil/client/account`), then the app retries the request. A
 * refresh does not help: renewed tokens keep the sign-in they come from.
 *
 * @example
 * try { await auth.fetch(url, { method: 'DELETE' }); }
 * catch (e) {
 *   if (e instanceof StepUpRequiredError) { await askForPasswordAndCode(); retry(); }
 * }
 */
export class StepUpRequiredError extends SigilClientError {
  declare readonly code: typeof CODE;
  /** The route's `max_age`: the most seconds allowed since the sign-in, when the challenge says. */
  readonly maxAge: number | undefined;
  /** The route's `acr_values`, when the challenge names any. */
  readonly acrValues: readonly string[] | undefined;

  /** `challenge` is the `WWW-Authenticate` value (when the page can read it), `detail` the problem's. */
  constructor(challenge: string | null | undefined, detail?: string, cause?: unknown) {
    // The title is the auth server's (@sigil/core), the form that of every error from an answer.
    super(CODE, `Stronger or more recent authentication required (HTTP 401, ${CODE})`, { status: 401, detail, cause });
    this.name = 'StepUpRequiredError';
    // RFC 9470 writes max_age as a bare integer and acr_values as a quoted, space-separated list.
    const maxAge = challenge?.match(/[\s,]max_age\s*=\s*"?(\d+)/i)?.[1];
    this.maxAge = maxAge === undefined ? undefined : +maxAge;
    this.acrValues = challenge?.match(/[\s,]acr_values\s*=\s*"?([^",]*)/i)?.[1]!.match(/\S+/g) ?? undefined;
  }
}

/**
 * Whether an API's 401 asks for a step-up rather than refusing the token. Either part may say it:
 * the `WWW-Authenticate` challenge (`error="insufficient_user_authentication"`; a challenge that
 * names the code at all is taken as one), which a cross-origin response only shows to the page
 * when the API lists it in `Access-Control-Expose-Headers`, or the problem+json body's `code`.
 *
 * @example
 * if (isStepUp(response.headers.get('WWW-Authenticate'), body)) return; // no refresh: it would not help
 */
export function isStepUp(challenge: string | null | undefined, body: unknown): boolean {
  return (body as { code?: unknown } | null | undefined)?.code === CODE || !!challenge?.includes(CODE);
}

/**
 * The step-up error for an API's 401, or undefined when the 401 is about the token itself (see
 * {@link isStepUp}).
 *
 * @example
 * const stepUp = stepUpRequired(response.headers.get('WWW-Authenticate'), await response.clone().json().catch(() => null));
 */
export function stepUpRequired(challenge: string | null | undefined, body: unknown, cause?: unknown): StepUpRequiredError | undefined {
  if (!isStepUp(challenge, body)) return undefined;
  const detail = (body as { detail?: unknown } | null | undefined)?.detail;
  return new StepUpRequiredError(challenge, typeof detail === 'string' ? detail : undefined, cause);
}
