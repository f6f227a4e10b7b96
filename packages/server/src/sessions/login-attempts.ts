import type { RateLimits } from '../rate-limit/limits.ts';

/** Whose password is being tried: the brute-force limits count per account (email) and client IP. */
export interface AttemptKey {
  email: string;
  ip: string;
}

/**
 * The brute-force bookkeeping of every password check (docs/server.md, "Rate limits"), in one
 * place for JSON login, the hosted login form and the password change.
 *
 * @example
 * const attempts = createLoginAttempts(limits);
 * const user = await attempts.verify({ email, ip }, () => checkCredentials(email, password));
 * if (!user) throw new SigilError('invalid_credentials', 'Invalid email or password');
 * await attempts.succeeded({ email, ip });
 */
export interface LoginAttempts {
  /**
   * Runs `check` unless this account+IP is locked out (then throws `rate_limited`). `check`
   * resolves to what the right password gives access to, or undefined for a wrong one, which
   * counts as a failure. A rejection (storage outage, hashing overload) says nothing about the
   * password and is not counted.
   */
  verify<T>(key: AttemptKey, check: () => Promise<T | undefined>): Promise<T | undefined>;
  /** A completed login: forgets the failures and the lockout history of this account+IP. */
  succeeded(key: AttemptKey): Promise<void>;
}

export function createLoginAttempts(limits: Pick<RateLimits, 'checkLogin' | 'recordLoginFailure' | 'recordLoginSuccess'>): LoginAttempts {
  return {
    async verify(key, check) {
      await limits.checkLogin(key.email, key.ip);
      const granted = await check();
      if (granted === undefined) await limits.recordLoginFailure(key.email, key.ip);
      return granted;
    },

    succeeded: (key) => limits.recordLoginSuccess(key.email, key.ip),
  };
}
