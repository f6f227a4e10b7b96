import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';

/**
 * The shapes of the ceremony responses a browser sends (`@simplewebauthn/browser`'s
 * `startRegistration` / `startAuthentication` results, WebAuthn's `PublicKeyCredential.toJSON()`),
 * checked before the library parses them. Unknown fields are dropped; sizes are bounded by what
 * authenticators produce (a credential ID is at most 1023 bytes).
 */

const base64url = (max: number) =>
  z
    .string({ error: 'must be a base64url string' })
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a base64url string');

const credentialId = base64url(1366);
const extensionResults = z.record(z.string(), z.unknown()).default({});
const attachment = z.enum(['platform', 'cross-platform']).optional();

/** The transports WebAuthn defines; others a browser reports are ignored, not stored. */
export const KNOWN_TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

export const registrationResponseSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(12_000),
    authenticatorData: base64url(12_000).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4096).optional(),
  }),
}) satisfies z.ZodType<RegistrationResponseJSON>;

export const authenticationResponseSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(4096),
    // Absent or null for a credential that is not discoverable; WebAuthn's toJSON() writes null.
    userHandle: base64url(256)
      .nullish()
      .transform((value) => value ?? undefined),
  }),
}) satisfies z.ZodType<AuthenticationResponseJSON>;

/** A passkey's name: shown in the account's list, so one line of readable length. */
export const passkeyNameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(64, 'name must be at most 64 characters')
  .refine((value) => !/\p{Cc}/u.test(value), 'name must not contain control characters');
