/**
 * The redirect flow's secrets (RFC 7636 PKCE, `state`, `nonce`), from WebCrypto: random values of
 * `crypto.getRandomValues` and the S256 challenge of `crypto.subtle.digest`. Looked up per call, so
 * the module loads under SSR.
 */

/** 32 random bytes: 256 bits, as base64url (43 characters, the shortest verifier RFC 7636 allows). */
const RANDOM_BYTES = 32;

/**
 * A fresh random value of 256 bits as base64url: a PKCE `code_verifier`, a `state` or a `nonce`.
 *
 * @example
 * const verifier = randomToken(); // 43 characters of [A-Za-z0-9_-]
 */
export function randomToken(): string {
  return base64url(webCrypto().getRandomValues(new Uint8Array(RANDOM_BYTES)));
}

/**
 * The S256 `code_challenge` of `verifier`: base64url(SHA-256(ASCII(verifier))) (RFC 7636 4.2).
 *
 * @example
 * await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'); // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export async function codeChallenge(verifier: string): Promise<string> {
  const crypto = webCrypto();
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Bytes as base64url without padding (RFC 4648 5). */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The page's WebCrypto. `crypto.subtle` exists only in secure contexts (https, or http on
 * localhost): elsewhere the flow cannot make its challenge, a deployment mistake named at once.
 */
function webCrypto(): Crypto {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (!crypto?.subtle || typeof crypto.getRandomValues !== 'function') {
    throw new TypeError('Sigil: the redirect flow needs WebCrypto (crypto.subtle): serve the app over https or from localhost');
  }
  return crypto;
}
