/**
 * The verified claims Sigil puts on `req.auth`: the registered JWT claims (RFC 7519), Sigil's
 * own (RFC 9068 profile plus `email`, `email_verified`, `name`, `roles`, `sid`, and `amr`, `auth_time`,
 * `acr` for step-up) and whatever else the issuer added.
 * Same shape as express-jwt's `req.auth`, so handlers keep working after a migration.
 */
export interface SigilClaims {
  /** Issuer: always equal to the configured `issuer`. */
  iss?: string;
  /** Subject: the user id. */
  sub?: string;
  aud?: string | string[];
  /** Expiry, epoch seconds: always present on a verified token. */
  exp: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  /** Space-delimited scopes (RFC 8693 `scope`). */
  scope?: string;
  /** `null` when the user has none (Sigil sends `name: null`). */
  email?: string | null;
  /** Whether the auth server had verified `email` when it issued the token (OIDC's `email_verified`). */
  email_verified?: boolean;
  name?: string | null;
  roles?: string[];
  /** Sigil session id. */
  sid?: string;
  /**
   * How the user authenticated (RFC 8176 values: `pwd`, `otp`, `hwk`, `swk`, `user`, `mfa`), for
   * `requireAuthLevel`. Sigil's tokens carry it; a token without it proved nothing in particular.
   */
  amr?: string[];
  /** When the user last actively authenticated (epoch seconds): a refresh keeps it, a new sign-in renews it. */
  auth_time?: number;
  /** Authentication context class reference (OIDC `acr`), when the issuer sends one. */
  acr?: string;
  [claim: string]: unknown;
}

declare global {
  // Express's own declaration-merging point (both Express 4 and 5 types declare it): adds a typed,
  // optional `auth` to every handler's `req` without importing Express types here.
  namespace Express {
    interface Request {
      /** Verified access-token claims, set by `requireAuth` (absent when auth is optional). */
      auth?: SigilClaims;
    }
  }
}
