import type { PasskeyDeviceType } from '../storage/passkeys.ts';

/**
 * The RFC 8176 `amr` values a passkey assertion proves (docs/architecture.md, "Passkeys"):
 *
 * - `hwk` or `swk`: proof of possession of the credential's private key. A single-device
 *   credential (backup eligibility flag clear) never leaves its authenticator's hardware: `hwk`.
 *   A multi-device one is synced between devices by a provider, so the key exists as software
 *   outside any one piece of hardware: `swk`.
 * - `user`: the authenticator tested the user's presence; Sigil also requires user verification
 *   (a PIN or a biometric, which RFC 8176 cannot name without knowing which).
 * - `mfa`: possession of the key plus the verification that unlocks it are two factors (NIST SP
 *   800-63B's multi-factor cryptographic authenticator). Sigil refuses every assertion without
 *   user verification, so every accepted passkey is multi-factor.
 *
 * @example
 * passkeyAmr('multiDevice'); // ['swk', 'user', 'mfa']
 */
export function passkeyAmr(deviceType: PasskeyDeviceType): string[] {
  return [deviceType === 'singleDevice' ? 'hwk' : 'swk', 'user', 'mfa'];
}
