import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { SigilError } from '../errors.ts';
import type { Logger } from '../logger.ts';

const MAX_LOCKOUT_SECONDS = 3600;
/** Consecutive failures are forgotten after this long without a lockout. */
const FAILURE_WINDOW_SECONDS = 3600;
/** Lockouts escalate for a day. */
const LOCKOUT_MEMORY_SECONDS = 86_400;

export interface RateLimits {
  /** Every auth request: `ipRequestsPerMinute` per client IP. */
  consumeIp(ip: string): Promise<void>;
  /** `signupsPerHour` per client IP. */
  consumeSignup(ip: string): Promise<void>;
  /** Throws `rate_limited` while this account+IP is locked out. */
  checkLogin(email: string, ip: string): Promise<void>;
  /** Records a failed password; locks out (growing) after `loginMaxFailures` in a row. */
  recordLoginFailure(email: string, ip: string): Promise<void>;
  recordLoginSuccess(email: string, ip: string): Promise<void>;
  /**
   * Throws `rate_limited` while this account's second step is locked out. Counted per account,
   * not per IP: whoever holds the password may try codes from many addresses.
   */
  checkSecondFactor(userId: string): Promise<void>;
  /** Records a wrong second factor; locks the account's second step out (growing) after `loginMaxFailures` in a row. */
  recordSecondFactorFailure(userId: string): Promise<void>;
  recordSecondFactorSuccess(userId: string): Promise<void>;
  /** A mail-sending request from this IP: `mailsPerIpPerHour`. Throws `rate_limited`. */
  consumeMailIp(ip: string): Promise<void>;
  /** A mail about this address (case-insensitive): `mailsPerEmailPerHour`. Throws `rate_limited`. */
  consumeMailEmail(email: string): Promise<void>;
  /** Throws `rate_limited` once this IP presented `linkFailuresPerHour` bad link tokens. */
  checkLinkFailures(ip: string): Promise<void>;
  /** A wrong, used or expired link token from this IP. */
  recordLinkFailure(ip: string): Promise<void>;
  /** A passkey sign-in request (options or assertion) from this IP: `passkeyRequestsPerMinute`. Throws `rate_limited`. */
  consumePasskeyIp(ip: string): Promise<void>;
  close(): Promise<void>;
}

function rateLimited(msBeforeNext: number): SigilError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new SigilError('rate_limited', `Too many attempts; retry in ${seconds} s`, { headers: { 'Retry-After': String(seconds) } });
}

/**
 * Brute-force limits with rate-limiter-flexible: in memory for one instance, in Redis (shared by
 * every instance) when `REDIS_URL` is set. If Redis fails, an in-memory limiter takes over so
 * limits keep holding per instance instead of failing open or taking the server down.
 */
export function createRateLimits(config: Config, logger: Logger): RateLimits {
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined;
  redis?.on('error', (error) =>
    logger.warn({ event: 'redis_error', err: { message: error.message } }, 'redis unavailable; rate limits fall back to memory'),
  );

  const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const keyPrefix = `${config.redisPrefix}rl:${name}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!redis) return memory;
    return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory });
  };

  const perIp = make('ip', config.ipRequestsPerMinute, 60);
  const signups = make('signup', config.signupsPerHour, 3600);
  const passwords = lockout(
    make('login-fail', config.loginMaxFailures, FAILURE_WINDOW_SECONDS),
    make('login-lockout', 1_000_000, LOCKOUT_MEMORY_SECONDS),
  );
  const secondFactors = lockout(
    make('mfa-fail', config.loginMaxFailures, FAILURE_WINDOW_SECONDS),
    make('mfa-lockout', 1_000_000, LOCKOUT_MEMORY_SECONDS),
  );
  const mailIps = make('mail-ip', config.mailsPerIpPerHour, 3600);
  const mailEmails = make('mail-email', config.mailsPerEmailPerHour, 3600);
  const linkFailures = make('link-fail', config.linkFailuresPerHour, 3600);
  const passkeyIps = make('passkey-ip', config.passkeyRequestsPerMinute, 60);
  const accountKey = (email: string, ip: string) => `${email.trim().toLowerCase()}|${ip}`;

  /**
   * A growing lockout: `maxFailures` consecutive failures within the failure window block the
   * key for `loginLockout`, each further lockout within a day twice as long, up to an hour.
   */
  function lockout(failures: RateLimiterAbstract, lockouts: RateLimiterAbstract) {
    return {
      async check(key: string) {
        const state = await failures.get(key);
        if (state && state.consumedPoints >= config.loginMaxFailures && state.msBeforeNext > 0) throw rateLimited(state.msBeforeNext);
      },
      /** Counts a failure; returns the seconds of the lockout it starts, if it starts one. */
      async fail(key: string): Promise<number | undefined> {
        const state = await failures.penalty(key, 1);
        if (state.consumedPoints < config.loginMaxFailures) return undefined;
        const count = await lockouts.penalty(key, 1);
        const seconds = Math.min(config.loginLockout * 2 ** (count.consumedPoints - 1), MAX_LOCKOUT_SECONDS);
        await failures.block(key, seconds);
        return seconds;
      },
      async reset(key: string) {
        await Promise.all([failures.delete(key), lockouts.delete(key)]);
      },
    };
  }

  const consume = async (limiter: RateLimiterAbstract, key: string) => {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(rejection.msBeforeNext);
      throw rejection;
    }
  };

  return {
    consumeIp: (ip) => consume(perIp, ip),
    consumeSignup: (ip) => consume(signups, ip),

    checkLogin: (email, ip) => passwords.check(accountKey(email, ip)),

    async recordLoginFailure(email, ip) {
      const seconds = await passwords.fail(accountKey(email, ip));
      if (seconds !== undefined) logger.warn({ event: 'login_lockout', seconds }, 'too many failed logins: account+IP locked out');
    },

    recordLoginSuccess: (email, ip) => passwords.reset(accountKey(email, ip)),

    checkSecondFactor: (userId) => secondFactors.check(userId),

    async recordSecondFactorFailure(userId) {
      const seconds = await secondFactors.fail(userId);
      if (seconds !== undefined)
        logger.warn({ event: 'mfa_lockout', userId, seconds }, 'too many wrong second factors: account locked out');
    },

    recordSecondFactorSuccess: (userId) => secondFactors.reset(userId),

    consumeMailIp: (ip) => consume(mailIps, ip),

    consumeMailEmail: (email) => consume(mailEmails, email.trim().toLowerCase()),

    async checkLinkFailures(ip) {
      const state = await linkFailures.get(ip);
      if (state && state.consumedPoints >= config.linkFailuresPerHour && state.msBeforeNext > 0) throw rateLimited(state.msBeforeNext);
    },

    async recordLinkFailure(ip) {
      await linkFailures.penalty(ip, 1);
    },

    consumePasskeyIp: (ip) => consume(passkeyIps, ip),

    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
