import { SigilClientError } from './errors.ts';

/** The signed-in user, as the auth server describes it. */
export interface SigilUser {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly roles: readonly string[];
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
  const user = parseUser(b['user']);
  const accessToken = b['access_token'];
  const expiresIn = b['expires_in'];
  const refreshToken = b['refresh_token'];
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    typeof expiresIn !== 'number' ||
    !(expiresIn > 0) ||
    user === undefined ||
    (expectRefreshToken && (typeof refreshToken !== 'string' || refreshToken === ''))
  ) {
    throw new SigilClientError('invalid_response', 'The auth server answered with something that is not a token response');
  }
  return {
    accessToken,
    refreshToken: expectRefreshToken ? (refreshToken as string) : undefined,
    expiresAt: receivedAt + expiresIn * 1000,
    receivedAt,
    user,
  };
}

/** The storage form: versioned and bound to the issuer so another app's data is never adopted. */
export function serializeSession(session: Session, issuer: string): string {
  return JSON.stringify({ v: FORMAT_VERSION, iss: issuer, ...session });
}

/**
 * Reads stored data back. Anything corrupt, from another issuer or format version, or stale (an
 * expired access token with no refresh token to renew it) yields `undefined`: "logged out".
 */
export function parseStoredSession(raw: string | null, issuer: string, nowMs: number): Session | undefined {
  if (raw === null) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || data['v'] !== FORMAT_VERSION || data['iss'] !== issuer) return undefined;
  const { accessToken, refreshToken, expiresAt, receivedAt } = data;
  const user = parseUser(data['user']);
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken === '')) ||
    typeof expiresAt !== 'number' ||
    typeof receivedAt !== 'number' ||
    !Number.isFinite(expiresAt) ||
    !Number.isFinite(receivedAt) ||
    expiresAt <= receivedAt ||
    user === undefined
  ) {
    return undefined;
  }
  if (refreshToken === undefined && expiresAt <= nowMs) return undefined;
  return { accessToken, refreshToken, expiresAt, receivedAt, user };
}

function parseUser(value: unknown): SigilUser | undefined {
  if (!isRecord(value)) return undefined;
  const { id, email, name, roles } = value;
  if (typeof id !== 'string' || typeof email !== 'string') return undefined;
  if (name !== undefined && name !== null && typeof name !== 'string') return undefined;
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))) return undefined;
  return Object.freeze({ id, email, name: name ?? null, roles: Object.freeze([...((roles as string[] | undefined) ?? [])]) });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
