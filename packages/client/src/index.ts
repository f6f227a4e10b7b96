export { createSigilClient, type LoginInput, type SignupInput, type SigilClient } from './client.ts';
export { SigilClientError, type SigilClientErrorCode, type SigilClientErrorDetails } from './errors.ts';
export type { AuthEvent, AuthEventReason, AuthListener } from './events.ts';
export type { SigilClientOptions } from './options.ts';
export type { SigilUser } from './session.ts';
export { memoryStorage, type StorageAdapter, type StorageStrategy } from './storage.ts';

// Internal: shared with @sigil/angular, so its option checks and its list of the auth server's token
// endpoints are the client's own. Not part of the documented API; may change in any release.
export { invalidOption, resolveCommonOptions } from './options.ts';
export { isAuthServerEndpoint } from './auth-fetch.ts';
