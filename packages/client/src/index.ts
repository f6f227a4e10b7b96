export { createSigilClient, type LoginInput, type SignupInput, type SigilClient } from './client.ts';
export { SigilClientError, type SigilClientErrorCode, type SigilClientErrorDetails } from './errors.ts';
export type { AuthEvent, AuthEventReason, AuthListener } from './events.ts';
export type { SigilClientOptions } from './options.ts';
export type { SigilUser } from './session.ts';
export { localSession, memoryStorage, type SessionStrategy, type StorageAdapter, type StorageStrategy } from './storage.ts';
export { cookieSession } from './auth-api.ts';

// Internal: shared with @sigil/angular, so its option checks, its list of the auth server's token
// endpoints and its 401 handling are the client's own. Not part of the documented API; may change
// in any release.
export { createSigilSession, type SigilSession } from './client.ts';
export { invalidArgument, resolveCommonOptions, type CommonOptions, type SessionOptions } from './options.ts';
export { isAuthServerEndpoint, tokenAfterRejection } from './auth-fetch.ts';
export { hasCode } from './errors.ts';
export { attempt } from './attempt.ts';
