import { Secret, TOTP } from 'otpauth';

/**
 * TOTP per RFC 6238 with the parameters every authenticator app understands: HMAC-SHA-1, 6
 * digits, 30-second steps (docs/architecture.md, "Second factors"). The arithmetic is otpauth's;
 * this module fixes the parameters, the ±1-step window and what "the step of a code" means for
 * replay protection.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock skew accepted either side: a code of the previous or next 30 s still counts. */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA-1 block the RFC recommends (RFC 4226 section 4). */
const SECRET_BYTES = 20;

/** A new random secret, base32 (what authenticator apps take). */
export function generateTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totp(secret: string, label = '', issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    issuerInLabel: issuer !== '',
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** The time step (RFC 6238's T) of an instant. */
export function totpStep(at: Date): number {
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: at.getTime() });
}

/** The code of `secret` at `at` (tests, and nothing else on the server). */
export function totpCode(secret: string, at: Date): string {
  return totp(secret).generate({ timestamp: at.getTime() });
}

/**
 * The time step whose code `code` is, within ±{@link TOTP_WINDOW} steps of `at`, or undefined.
 * Only six ASCII digits are considered. The caller refuses a step not later than the last one
 * it accepted (replay).
 */
export function matchTotpStep(secret: string, code: string, at: Date): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const delta = totp(secret).validate({ token: code, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? undefined : totpStep(at) + delta;
}

/**
 * The `otpauth://totp/...` URL an authenticator app scans: `Issuer:account` as label, with the
 * issuer parameter too, and the algorithm, digits and period spelled out.
 */
export function totpUri(secret: string, account: string, issuer: string): string {
  return totp(secret, account, issuer).toString();
}
