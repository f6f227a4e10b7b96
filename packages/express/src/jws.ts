/**
 * Compact JWS parsing and signature checking. The base64url and JSON handling is here (Buffer +
 * JSON.parse); the signature math is node:crypto's `verify` / `createHmac` on keys imported once.
 * No hand-written crypto.
 */
import { constants, createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { ALGORITHMS, type Algorithm, type AlgorithmSpec } from './algorithms.ts';
import { InvalidTokenError } from './errors.ts';

/** A token cut into its parts, the signature not yet checked. */
export interface ParsedJws {
  /** The decoded JOSE header: untrusted until the header checks ran. */
  header: Record<string, unknown>;
  /** The base64url payload segment, decoded only once the signature checks out. */
  payloadSegment: string;
  /** The bytes that were signed: `base64url(header).base64url(payload)`. */
  signingInput: Buffer;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Cuts a compact JWS into its parts, strictly, so that no two token strings share one signature
 * check. Throws {@link InvalidTokenError}.
 * - three non-empty segments (no JWE, no trailing dot);
 * - the header is base64url of a JSON object;
 * - the signed part is ASCII: it is encoded as UTF-8 and must keep its length (latin1 would map
 *   U+0165 and "e" to the same byte);
 * - the signature is canonical base64url (Node's decoder would skip foreign characters, accept
 *   "+" and "/", padding, and spare bits set in the last character);
 * - the payload needs no scan here: its bytes are signed, and an issuer signs base64url only, so a
 *   payload with any other character fails the signature check; it is decoded once that passed.
 */
export function parseJws(token: string, maxLength: number): ParsedJws {
  if (token.length > maxLength) throw new InvalidTokenError('token_too_large');
  const segments = token.split('.');
  if (segments.length !== 3 || segments.some((segment) => segment === '')) throw new InvalidTokenError('token_malformed');
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string];
  const header = BASE64URL.test(headerSegment) ? decodeJsonObject(headerSegment) : undefined;
  if (header === undefined) throw new InvalidTokenError('token_malformed');
  const signedLength = headerSegment.length + 1 + payloadSegment.length;
  const signingInput = Buffer.from(token.slice(0, signedLength), 'utf8');
  if (signingInput.length !== signedLength) throw new InvalidTokenError('token_malformed');
  const signature = Buffer.from(signatureSegment, 'base64url');
  if (signature.toString('base64url') !== signatureSegment) throw new InvalidTokenError('token_malformed');
  return { header, payloadSegment, signingInput, signature };
}

/** Decodes the payload segment into a claims object, or throws `token_malformed`. */
export function decodePayload(segment: string): Record<string, unknown> {
  const payload = decodeJsonObject(segment);
  if (payload === undefined) throw new InvalidTokenError('token_malformed');
  return payload;
}

/** A base64url segment holding a JSON object, decoded; `undefined` for anything else. */
export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  // Length 4n+1 cannot come from any byte string: Buffer would silently drop the extra character.
  if (segment.length % 4 === 1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** True when `signature` is valid for `signingInput` under `alg` and `key`. Never throws. */
export function verifySignature(alg: Algorithm, key: KeyObject, signingInput: Buffer, signature: Buffer): boolean {
  const spec = ALGORITHMS[alg];
  if (!hasExpectedLength(spec, signature)) return false;
  try {
    if (spec.kty === 'oct') {
      const mac = createHmac(spec.hash as string, key)
        .update(signingInput)
        .digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    return cryptoVerify(spec.hash, signingInput, keyInput(spec, key), signature);
  } catch {
    // node:crypto throws on some malformed signatures (e.g. wrong RSA length): that is "invalid".
    return false;
  }
}

/**
 * {@link verifySignature} for a public key on libuv's thread pool (node:crypto's callback form):
 * the event loop only dispatches, and several checks run on several cores at once. Resolves
 * false, never rejects.
 */
export function verifySignatureOffThread(alg: Algorithm, key: KeyObject, signingInput: Buffer, signature: Buffer): Promise<boolean> {
  const spec = ALGORITHMS[alg];
  if (!hasExpectedLength(spec, signature)) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      cryptoVerify(spec.hash, signingInput, keyInput(spec, key), signature, (error, valid) => resolve(error === null && valid));
    } catch {
      resolve(false);
    }
  });
}

function hasExpectedLength(spec: AlgorithmSpec, signature: Buffer): boolean {
  return spec.signatureLength === 0 || signature.length === spec.signatureLength;
}

/** node:crypto's key argument: JOSE's ECDSA signatures are `r || s`, and PSS needs its padding named. */
function keyInput(spec: AlgorithmSpec, key: KeyObject): KeyObject | VerifyKeyObjectInput {
  if (spec.kty === 'EC') return { key, dsaEncoding: 'ieee-p1363' };
  if (spec.pss) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return key;
}
