/**
 * @sigil/client: the browser client of a Sigil auth server (docs/client.md). Internals shared with
 * @sigil/angular are in `@sigil/client/internal` (internal.ts), not here.
 */
export { createSigilClient, type LoginInput, type SignupInput, type SignupResult, type SigilClient } from './client.ts';
export type { LoginResult, MfaInput, MfaMethod } from './mfa.ts';
export { StepUpRequiredError } from './step-up.ts';
export { SigilClientError, type SigilClientErrorCode, type SigilClientErrorDetails } from './errors.ts';
export type { AuthEvent, AuthEventReason, AuthListener } from './events.ts';
export type { SigilClientOptions } from './options.ts';
export type { SigilUser } from './session.ts';
export type { SessionStrategy, StorageAdapter, StorageStrategy } from './strategy.ts';
export { memoryStorage } from './memory-storage.ts';
export { localSession } from './local-session.ts';
export { cookieSession } from './cookie-session.ts';
