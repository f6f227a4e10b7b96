import { attempt } from './attempt.ts';
import { unexpectedAnswer } from './errors.ts';

/** The signed-in user, as the auth server describes it (its `email_verified` spelled `emailVerified`). */
export interface SigilUser {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly roles: readonly string[];
  /** Whether the user proved they receive mail at `email`. False when a server does not say. */
  readonly emailVerified: boolean;
}

/**
 * What the client holds for a signed-in user. `expiresAt` and `receivedAt` are epoch milliseconds
 * on this client's own clock: expiry is `receivedAt + expires_in`, never the token's `exp` against
 * `Date.now()`, so a skewed device clock cannot make a fresh token look expired (or the reverse).
 */
export interface Session {
  readonly accessToken: string;
  /** Absent in cookie mode, where the browser keeps it in an HttpOnly cookie. */
  readonly refreshToken: string | undefined;
  readonly expiresAt: number;
  readonly receivedAt: number;
  readonly user: SigilUser;
}

const FORMAT_VERSION = 1;

/** Builds a session from a TokenResponse body; throws `invalid_response` when it is not one. */
export function sessionFromTokenResponse(body: unknown, receivedAt: number, expectRefreshToken: boolean): Session {
  const b = isRecord(body) ? body : {};
  const expiresIn = b['expires_in'];
  const session = validSession({
    accessToken: b['access_token'],
    // Cookie mode: the refresh token lives in the HttpOnly cookie, whatever the body says.
    refreshToken: expectRefreshToken ? b['refresh_token'] : undefined,
    expiresAt: typeof expiresIn === 'number' ? receivedAt + expiresIn * 1000 : NaN,
    receivedAt,
    user: userFromServer(b['user']),
  });
  if (session === undefined || (expectRefreshToken && session.refreshToken === undefined)) {
    throw unexpectedAnswer();
  }
  return session;
}

/** The storage form: versioned and bound to the issuer so another app's data is never adopted. */
export function serializeSession(session: Session, issuer: string): string {
  return JSON.stringify({ v: FORMAT_VERSION, iss: issuer, ...session });
}

/**
 * Reads stored data back. Anything corrupt, from another issuer or format version, or stale (an
 * expired access token with no refresh token to renew it) yields `undefined`: "logged out".
 */
export function parseStoredSession(raw: string | null | undefined, issuer: string, nowMs: number): Session | undefined {
  // Nothing stored (null) fails to parse like corrupt data does.
  const data: unknown = attempt(() => JSON.parse(raw ?? ''));
  if (!isRecord(data) || data['v'] !== FORMAT_VERSION || data['iss'] !== issuer) return undefined;
  const session = validSession(data);
  return session !== undefined && (session.refreshToken !== undefined || session.expiresAt > nowMs) ? session : undefined;
}

/**
 * The one check for a session's fields, whether they come from the auth server, storage or another
 * tab: tokens are non-empty strings (the refresh token may be absent), the times are finite with
 * expiry after receipt, and the user is well-formed.
 */
function validSession({ accessToken, refreshToken, expiresAt, receivedAt, user }: Record<string, unknown>): Session | undefined {
  const valid = parseUser(user);
  return isToken(accessToken) &&
    (refreshToken === undefined || isToken(refreshToken)) &&
    Number.isFinite(receivedAt) &&
    Number.isFinite(expiresAt) &&
    (expiresAt as number) > (receivedAt as number) &&
    valid
    ? { accessToken, refreshToken, expiresAt: expiresAt as number, receivedAt: receivedAt as number, user: valid }
    : undefined;
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The server's `user` object (`email_verified`) as a `SigilUser`, or undefined when it is not one. */
export function userFromServer(value: unknown): SigilUser | undefined {
  return isRecord(value) ? parseUser({ ...value, emailVerified: value['email_verified'] }) : undefined;
}

/** A user in the client's own spelling: stored sessions and other tabs' messages hold this form. */
function parseUser(value: unknown): SigilUser | undefined {
  if (!isRecord(value)) return undefined;
  // A session stored by an older client has no `emailVerified`: unverified until the next refresh says.
  const { id, email, name = null, roles = [], emailVerified = false } = value;
  return isString(id) &&
    isString(email) &&
    (name === null || isString(name)) &&
    Array.isArray(roles) &&
    roles.every(isString) &&
    typeof emailVerified === 'boolean'
    ? { id, email, name, roles, emailVerified }
    : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
