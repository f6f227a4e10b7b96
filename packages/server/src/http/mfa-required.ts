import { SigilError } from '../errors.ts';
import { MFA_TOKEN_TTL_SECONDS, type MfaChallenge } from '../sessions/auth-service.ts';

/**
 * The answer to a right first factor of an account with a second factor: 403 `mfa_required`
 * with the `mfa_token` to present at `POST /auth/mfa/verify` and the `methods` the account has
 * (docs/server.md, "Second factors"). Never cached.
 *
 * @example
 * if (outcome.kind === 'mfa_required') throw mfaRequiredError(outcome.challenge);
 */
export function mfaRequiredError(challenge: MfaChallenge): SigilError {
  return new SigilError('mfa_required', 'A second factor is required: present it at /auth/mfa/verify', {
    extensions: { mfa_token: challenge.mfaToken, methods: challenge.methods, expires_in: MFA_TOKEN_TTL_SECONDS },
  });
}
