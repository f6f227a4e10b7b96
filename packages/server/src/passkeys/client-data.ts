/** The challenges Sigil hands out: 32 random bytes, base64url (43 characters). */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Browsers' clientDataJSON is a few hundred bytes; far more is not a browser's. */
const MAX_CLIENT_DATA_LENGTH = 4096;

/**
 * The challenge a ceremony's response signed, read from its `clientDataJSON` (base64url JSON,
 * WebAuthn §5.8.1), or undefined when it holds none of the shape Sigil issues. The response names
 * its challenge this way, so a body needs no challenge id: the server finds what it issued from
 * what the authenticator signed (over the client data's hash), and any change to the challenge
 * breaks the signature.
 *
 * @example
 * const challenge = challengeOf(body.response); // 'kY1o…', or undefined
 */
export function challengeOf(response: { response: { clientDataJSON: string } }): string | undefined {
  const encoded = response.response.clientDataJSON;
  if (encoded.length > MAX_CLIENT_DATA_LENGTH || !BASE64URL.test(encoded)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const challenge = typeof data === 'object' && data !== null ? (data as { challenge?: unknown }).challenge : undefined;
  return typeof challenge === 'string' && CHALLENGE.test(challenge) ? challenge : undefined;
}
