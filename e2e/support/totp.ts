/**
 * TOTP codes computed in the test, as an authenticator app would (RFC 6238: SHA-1, 6 digits,
 * 30 s), at the auth server's clock (the same machine). The server takes each time step once and
 * only later steps after it, within ±1 step of now: `next()` hands out the following unused step,
 * waiting for the clock when the window is used up.
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;
/** A step that ends sooner than this is skipped: the server might check it a step later. */
const MARGIN_MS = 3_000;

const stepAt = (ms: number) => Math.floor(ms / PERIOD_MS);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The code of `secret` for the time step `step`. */
export function totpCodeAt(secret: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: step * PERIOD_MS });
}

/** The authenticator app of one account: each `next()` is a code the server has not seen. */
export function authenticator(secret: string): { next(): Promise<string> } {
  let last = -Infinity;
  return {
    async next() {
      for (;;) {
        const now = Date.now();
        const step = Math.max(last + 1, stepAt(now + MARGIN_MS) - 1);
        if (step <= stepAt(now) + 1) {
          last = step;
          return totpCodeAt(secret, step);
        }
        await sleep((stepAt(now) + 1) * PERIOD_MS - now + 200);
      }
    },
  };
}
