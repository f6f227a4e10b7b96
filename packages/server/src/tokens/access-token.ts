import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, decodeProtectedHeader, errors as joseErrors, type JWTPayload } from 'jose';
import { SigilError } from '../errors.ts';
import type { KeyManager } from '../keys/index.ts';

/** The claims Sigil puts in every access token (DESIGN.md, RFC 9068). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  email: string;
  name: string | null;
  roles: string[];
  scope: string;
  /** Session id: lets the auth server mark the caller's own session and check revocation. */
  sid: string;
}

export const ACCESS_TOKEN_TYP = 'at+jwt';
export const DEFAULT_SCOPE = 'openid profile email';

export interface AccessTokenSubject {
  userId: string;
  email: string;
  name: string | null;
  roles: string[];
  sessionId: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  expiresAt: number;
}

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export async function signAccessToken(
  keys: KeyManager,
  subject: AccessTokenSubject,
  settings: AccessTokenSettings,
  now: Date,
): Promise<IssuedAccessToken> {
  const { kid, alg, key } = await keys.signingKey();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + settings.ttlSeconds;
  const token = await new SignJWT({
    email: subject.email,
    name: subject.name,
    roles: subject.roles,
    scope: DEFAULT_SCOPE,
    sid: subject.sessionId,
  })
    .setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(settings.issuer)
    .setSubject(subject.userId)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key);
  return { token, expiresIn: settings.ttlSeconds, expiresAt: exp };
}

/** Longest access token we agree to parse (defence against huge headers). */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Verifies an access token against this server's own published keys, for the auth server's
 * Bearer-protected endpoints. Every failure is `invalid_token`; the reason stays in `cause`.
 */
export async function verifyAccessToken(
  keys: KeyManager,
  token: string,
  settings: Omit<AccessTokenSettings, 'ttlSeconds'> & { sharedSecret: boolean },
  now: Date,
): Promise<AccessTokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) throw new SigilError('invalid_token', 'The access token is too large');
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (cause) {
    throw new SigilError('invalid_token', 'The access token is malformed', { cause });
  }
  const key = kid === undefined ? undefined : await keys.verificationKey(kid);
  if (!key) throw new SigilError('invalid_token', 'The access token was signed by an unknown key');
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: settings.issuer,
      audience: settings.audience,
      typ: ACCESS_TOKEN_TYP,
      // Never taken from the token: HS256 only in shared-secret mode, and jose refuses a key whose
      // type does not match the algorithm (so an RSA kid cannot be used with ES256, or as an HMAC secret).
      algorithms: settings.sharedSecret ? ['HS256'] : ['RS256', 'ES256', 'EdDSA'],
      currentDate: now,
      clockTolerance: 30,
      requiredClaims: ['sub', 'exp', 'iat', 'sid'],
    });
    return payload as AccessTokenClaims;
  } catch (cause) {
    const detail = cause instanceof joseErrors.JWTExpired ? 'The access token expired' : 'The access token is invalid';
    throw new SigilError('invalid_token', detail, { cause });
  }
}
