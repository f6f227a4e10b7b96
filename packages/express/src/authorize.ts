/**
 * `requireScope` and `requireRole`: permission checks on the claims `requireAuth` put on
 * `req.auth`. A missing `req.auth` is a 401 (no token); a token without the permission is a 403
 * `insufficient_scope` with its RFC 6750 challenge.
 */
import type { IncomingMessage } from 'node:http';
import type { SigilClaims } from './claims.ts';
import { sendAuthError } from './challenge.ts';
import { InsufficientScopeError, InvalidTokenError, type SigilAuthError } from './errors.ts';
import { checker } from './options.ts';
import type { SigilMiddleware } from './require-auth.ts';

/** Options of {@link requireScope} and {@link requireRole}, given as the last argument. */
export interface AuthorizeOptions {
  /** @default 'sigil' */
  realm?: string;
  /** @default 'respond' (see `RequireAuthOptions.onError`) */
  onError?: 'respond' | 'next';
}

type Args = string[] | [...names: string[], options: AuthorizeOptions];

/** Whether `claims` grant what the route requires. */
export type Allowed = (claims: SigilClaims, required: readonly string[]) => boolean;

/** ALL the listed scopes in the space-delimited `scope` claim. */
export const hasScopes: Allowed = (claims, scopes) => {
  const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  return scopes.every((scope) => granted.includes(scope));
};

/** ANY of the listed roles in the `roles` claim. */
export const hasAnyRole: Allowed = (claims, roles) => Array.isArray(claims.roles) && roles.some((role) => claims.roles!.includes(role));

/**
 * Requires ALL the listed scopes in the token's space-delimited `scope` claim: scopes are
 * permissions granted to the token, and a route that reads and writes needs both.
 *
 * @example
 * app.delete('/api/lessons/:id', requireAuth(opts), requireScope('lessons:write'), handler);
 */
export function requireScope(...args: Args): SigilMiddleware {
  return authorize('scope', args, hasScopes);
}

/**
 * Requires ANY of the listed roles in the token's `roles` claim: roles are alternatives
 * (`requireRole('admin', 'editor')` lets either in).
 *
 * @example
 * app.post('/api/lessons', requireAuth(opts), requireRole('admin'), createLesson);
 */
export function requireRole(...args: Args): SigilMiddleware {
  return authorize('role', args, hasAnyRole);
}

function authorize(kind: 'scope' | 'role', args: Args, allowed: Allowed): SigilMiddleware {
  const last = args.at(-1);
  const options: AuthorizeOptions = typeof last === 'object' && last !== null ? last : {};
  const names = (typeof last === 'object' ? args.slice(0, -1) : args) as unknown[];
  const fn = kind === 'scope' ? 'requireScope' : 'requireRole';
  const check = checker(fn);
  const realm = check.realm(options.realm ?? 'sigil');
  const onError = options.onError ?? 'respond';
  if (onError !== 'respond' && onError !== 'next') throw check.error("onError must be 'respond' or 'next'");
  return authorizer(kind, names, allowed, { realm, onError });
}

/** The permission middleware for settled `realm` and `onError` (shared by `createSigil`). */
export function authorizer(
  kind: 'scope' | 'role',
  names: readonly unknown[],
  allowed: Allowed,
  { realm, onError }: { realm: string; onError: 'respond' | 'next' },
): SigilMiddleware {
  const fn = kind === 'scope' ? 'requireScope' : 'requireRole';
  if (names.length === 0) throw new TypeError(`${fn}: give at least one ${kind}`);
  for (const name of names) {
    if (typeof name !== 'string' || name === '' || (kind === 'scope' && /[\s"\\]/.test(name)))
      throw new TypeError(`${fn}: each ${kind} must be a non-empty string${kind === 'scope' ? ' without spaces or quotes' : ''}`);
  }
  const required = Object.freeze([...names]) as readonly string[];
  return guard((claims) => (allowed(claims, required) ? undefined : new InsufficientScopeError(kind, required)), { realm, onError });
}

/**
 * A middleware that asks `refusal` about the claims on `req.auth` and lets the request through
 * when it returns nothing. A missing `req.auth` (optional auth let an anonymous request through)
 * is a 401 without `error`, as for a request that sent no token. Shared by the permission checks
 * and `requireAuthLevel`.
 */
export function guard(
  refusal: (claims: SigilClaims) => SigilAuthError | undefined,
  { realm, onError }: { realm: string; onError: 'respond' | 'next' },
): SigilMiddleware {
  return function sigilAuthorize(req, res, next) {
    const claims = (req as IncomingMessage & { auth?: SigilClaims }).auth;
    const error = claims === undefined ? new InvalidTokenError('token_missing') : refusal(claims);
    if (error === undefined) return next();
    if (onError === 'next') next(error);
    else sendAuthError(res, error, realm);
  };
}
