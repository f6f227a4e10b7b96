/**
 * `@sigil/client/passkeys`: passkeys (WebAuthn, with `@simplewebauthn/browser`) for a client of
 * the root entry: registering them, signing in with one (passwordless, in the autofill, or as a
 * second step), the account's list (docs/client.md, "Passkeys"). An entry point of its own, so
 * apps that do not use passkeys do not ship them.
 */
export { createSigilPasskeys, type PasskeyLoginOptions, type SigilPasskeys } from './passkeys-client.ts';
export type { Passkey } from './passkey-views.ts';
