import { attempt } from './attempt.ts';
import { unexpectedAnswer } from './errors.ts';

/** What `startTotpEnrolment` resolves to: the secret three ways, for the user's authenticator app. */
export interface TotpEnrolment {
  /** The shared secret, base32: for typing into an app by hand. */
  readonly secret: string;
  /** The `otpauth://totp/...` URL the QR code holds (a link on a phone opens the app with it). */
  readonly otpauthUrl: string;
  /** The QR code as an SVG document, drawn by the auth server. */
  readonly qrSvg: string;
}

/** The account's second factors, from `mfaStatus()`. */
export interface MfaStatus {
  /** What a login of this account asks for after the password (`totp`, `recovery_code`…); empty: nothing. */
  readonly methods: readonly string[];
  /** `pending`: enrolment started, not confirmed yet. */
  readonly totp: 'off' | 'pending' | 'on';
  readonly recoveryCodesRemaining: number;
}

/** `GET /auth/mfa`'s `{methods, totp, recovery_codes_remaining}`; `invalid_response` when it is not that. */
export function parseMfaStatus(body: Record<string, unknown> | undefined): MfaStatus {
  const { methods, totp, recovery_codes_remaining: recoveryCodesRemaining } = body ?? {};
  if (
    !Array.isArray(methods) ||
    !methods.every((method) => typeof method === 'string') ||
    (totp !== 'off' && totp !== 'pending' && totp !== 'on') ||
    !Number.isInteger(recoveryCodesRemaining)
  )
    throw unexpectedAnswer();
  return { methods, totp, recoveryCodesRemaining: recoveryCodesRemaining as number };
}

/** `POST /auth/mfa/totp`'s `{secret, otpauth_url, qr_svg}`; `invalid_response` when it is not that. */
export function parseTotpEnrolment(body: Record<string, unknown> | undefined): TotpEnrolment {
  const { secret, otpauth_url: otpauthUrl, qr_svg: qrSvg } = body ?? {};
  if (typeof secret !== 'string' || typeof otpauthUrl !== 'string' || !otpauthUrl.startsWith('otpauth://') || typeof qrSvg !== 'string')
    throw unexpectedAnswer();
  return { secret, otpauthUrl, qrSvg };
}

/** `{recovery_codes: [...]}` of the confirm and regenerate endpoints; `invalid_response` when it is not that. */
export function parseRecoveryCodes(body: Record<string, unknown> | undefined): string[] {
  const codes = body?.['recovery_codes'];
  if (!Array.isArray(codes) || codes.length === 0 || !codes.every((code) => typeof code === 'string')) throw unexpectedAnswer();
  return codes;
}

/**
 * The `sid` claim (the server's session id) of an access token, read without verifying it: the
 * client only uses it to end its own previous session. Undefined when the token has none.
 */
export function sessionIdOf(accessToken: string): string | undefined {
  const payload = accessToken.split('.')[1] ?? '';
  const claims: unknown = attempt(() => JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))));
  const sid = (claims as { sid?: unknown } | undefined)?.sid;
  return typeof sid === 'string' ? sid : undefined;
}
