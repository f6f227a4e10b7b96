export { createKeyManager } from './create-key-manager.ts';
export { sharedSecretKid } from './shared-secret.ts';
export { CLOCK_SKEW_MS, resolveTimeline } from './timeline.ts';
export type { KeyInfo, KeyManager, KeyManagerOptions, KeyMaterial, KeyState, PublicJwk, RotateOptions, SigningKey } from './types.ts';
export { deriveAtRestKey, openAtRest, sealAtRest } from './lib/encryption.ts';
