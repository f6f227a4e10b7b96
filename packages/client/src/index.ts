export { createSigilClient, type LoginInput, type SignupInput, type SigilClient } from './client.ts';
export { SigilClientError, type SigilClientErrorCode, type SigilClientErrorDetails } from './errors.ts';
export type { AuthEvent, AuthEventReason, AuthListener } from './events.ts';
export type { SigilClientOptions } from './options.ts';
export type { SigilUser } from './session.ts';
export { memoryStorage, type StorageAdapter, type StorageStrategy } from './storage.ts';
