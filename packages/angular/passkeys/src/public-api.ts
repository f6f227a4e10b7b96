/*
 * Public API of @sigil/angular/passkeys (docs/angular.md, "PasskeyService"): an entry point of its
 * own, so apps without passkeys do not ship it (nor @simplewebauthn/browser).
 */
export { PasskeyService } from './passkey.service';
export type { Passkey, PasskeyLoginOptions } from '@sigil/client/passkeys';
