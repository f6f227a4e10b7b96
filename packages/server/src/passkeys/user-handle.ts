/**
 * The WebAuthn user handle of an account: the 16 bytes of its UUID (random, so it reveals nothing
 * about the person, as WebAuthn asks).
 *
 * @example
 * userHandleOf('2fff6762-7d6b-4b75-bf72-9e0ce2fd7143'); // Uint8Array(16)
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'));
}

/** The base64url spelling of `userHandleOf(userId)`, as an assertion's `userHandle` carries it. */
export function encodedUserHandleOf(userId: string): string {
  return Buffer.from(userHandleOf(userId)).toString('base64url');
}
