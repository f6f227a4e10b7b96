import { z } from 'zod';

/**
 * A WebAuthn RP ID: a lower-case domain name (no scheme, port or path). IP addresses are not
 * valid RP IDs in browsers, but `localhost` is.
 */
const rpId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'expected a domain name such as example.com',
  );

/**
 * The passkey settings of the server configuration (docs/server.md, "Passkeys"), merged into
 * `configSchema` like the mail settings.
 */
export function passkeyConfigShape() {
  return {
    /** The WebAuthn relying party ID. @default the issuer's hostname */
    rpId: rpId.optional(),
    /** Passkey sign-in requests (options and assertions) per client IP per minute. @default 30 */
    passkeyRequestsPerMinute: z.coerce.number().int().min(1).default(30),
  };
}

/** Environment variable for each passkey config field. */
export const PASSKEY_ENV_NAMES = {
  rpId: 'SIGIL_RP_ID',
  passkeyRequestsPerMinute: 'SIGIL_PASSKEY_REQUESTS_PER_MINUTE',
} as const;
