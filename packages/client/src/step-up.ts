import { SigilClientError } from './errors.ts';
import { isRecord } from './session.ts';

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
  declare readonly code: 'insufficient_user_authentication';
  /** The route's `max_age`: the most seconds allowed since the sign-in, when it says. */
  readonly maxAge: number | undefined;
  /** The route's `acr_values`, when it names any. */
  readonly acrValues: readonly string[] | undefined;

  constructor(challenge: string | null | undefined, detail: string | undefined, cause?: unknown) {
    super('insufficient_user_authentication', 'A stronger or more recent sign-in is required (HTTP 401)', { status: 401, detail, cause });
    this.name = 'StepUpRequiredError';
    const maxAge = param(challenge, 'max_age');
    this.maxAge = maxAge && /^\d+$/.test(maxAge) ? +maxAge : undefined;
    this.acrValues = param(challenge, 'acr_values')?.split(' ').filter(Boolean);
  }
}

/**
 * The step-up error for an API's 401, or undefined when the 401 is about the token itself. Either
 * part may say it: the `WWW-Authenticate` challenge (`error="insufficient_user_authentication"`),
 * which a cross-origin response only shows to the page when the API lists it in
 * `Access-Control-Expose-Headers`, or the problem+json body's `code`.
 *
 * @example
 * const stepUp = stepUpRequired(response.headers.get('WWW-Authenticate'), await response.clone().json().catch(() => null));
 */
export function stepUpRequired(challenge: string | null | undefined, body: unknown, cause?: unknown): StepUpRequiredError | undefined {
  const problem = isRecord(body) ? body : {};
  if (param(challenge, 'error') !== 'insufficient_user_authentication' && problem['code'] !== 'insufficient_user_authentication')
    return undefined;
  const detail = problem['detail'];
  return new StepUpRequiredError(challenge, typeof detail === 'string' ? detail : param(challenge, 'error_description'), cause);
}

/** An auth-param of a challenge (RFC 9110 11.2): a token, or a quoted-string unescaped. */
function param(challenge: string | null | undefined, name: string): string | undefined {
  const match = challenge?.match(new RegExp(`(?:^|[\\s,])${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s,"]+))`, 'i'));
  return match ? (match[2] ?? match[1]!.replace(/\\(.)/g, '$1')) : undefined;
}
