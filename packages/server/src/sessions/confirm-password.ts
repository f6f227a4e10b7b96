import { SigilError } from '../errors.ts';
import type { PasswordHasher } from '../passwords/hashing.ts';
import type { LoginAttempts } from './login-attempts.ts';
import type { Authenticated, RequestMeta } from './types.ts';

/**
 * Checks the caller's password before an action that needs more than an access token (a password
 * or email change, deleting the account). A wrong one is 400 `invalid_request` naming `field`
 * (not 401: the token is fine, and a 401 would make clients log out) and counts as a failed
 * login for the account and `meta.ip`: guessing it with a stolen access token is brute force too.
 *
 * @example
 * await confirmPassword({ hasher, attempts }, caller, body.password, meta, 'password');
 */
export async function confirmPassword(
  deps: { hasher: PasswordHasher; attempts: LoginAttempts },
  auth: Authenticated,
  password: string,
  meta: RequestMeta,
  field: string,
): Promise<void> {
  const account = await deps.attempts.verify({ email: auth.user.email, ip: meta.ip }, async () =>
    (await deps.hasher.verify(auth.user.passwordHash, password)) ? auth.user : undefined,
  );
  if (!account) {
    throw new SigilError(
      'invalid_request',
      field === 'current_password' ? 'The current password is incorrect' : 'The password is incorrect',
      {
        errors: [{ path: field, message: 'incorrect password' }],
      },
    );
  }
}
