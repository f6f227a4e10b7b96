/**
 * Compact JWS parsing and signature checking for access tokens. The JSON and base64url handling
 * is done here (Buffer + JSON.parse: strict and fast); the signature math is node:crypto's
 * `verify`/`createHmac` on keys imported once. No hand-written crypto.
 */
import { constants, createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { ALGORITHMS, isAlgorithm, type Algorithm, type AlgorithmSpec } from './algorithms.ts';
import { p1363ToDer } from './ecdsa-der.ts';
import { InvalidTokenError } from './errors.ts';

/** The JOSE header fields Sigil reads. `jku`, `x5u`, `jwk` and `x5c` are never read. */
export interface JwsHeader {
  alg: Algorithm;
  kid: string | undefined;
}

/** A structurally valid token, signature not yet checked. */
export interface ParsedJws {
  header: JwsHeader;
  /** The ASCII bytes that were signed: `base64url(header).base64url(payload)`. */
  signingInput: Buffer;
  signature: Buffer;
  /** The base64url payload segment, decoded only after the signature checks out. */
  payloadSegment: string;
}

// A header segment: base64url characters only (no padding, no whitespace, no standard base64).
const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Parses a compact JWS and checks its header against the allow-list and the required `typ`.
 * Throws {@link InvalidTokenError} for anything else; never throws another error type.
 *
 * Strict without scanning the whole token with a regex (~1 ns a character, most of the parse):
 * - three non-empty segments, cut at the only two dots (no JWE, no trailing dot);
 * - the header segment matches the base64url alphabet (checked once per distinct header: the memo
 *   keeps only headers that passed);
 * - the signing input must be ASCII: it is encoded as UTF-8 and must keep its length, so no two
 *   token strings share one signing input (latin1 would map U+0165 and "e" to the same byte);
 * - the signature must re-encode to exactly its segment, which rejects any character outside the
 *   base64url alphabet (Node's decoder skips them, and accepts "+" and "/"), padding, and spare
 *   bits set in the last character;
 * - the payload segment needs no scan: its bytes are signed, and the issuer signs base64url only,
 *   so a payload with any other character fails the signature check.
 */
export function parseJws(
  token: string,
  maxLength: number,
  algorithms: ReadonlySet<Algorithm>,
  typ: string | false,
  headers?: HeaderMemo,
): ParsedJws {
  if (token.length > maxLength) throw new InvalidTokenError('token_too_large');
  const firstDot = token.indexOf('.');
  const secondDot = firstDot < 1 ? -1 : token.indexOf('.', firstDot + 1);
  if (secondDot <= firstDot + 1 || secondDot === token.length - 1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw new InvalidTokenError('token_malformed');
  }

  const headerSegment = token.slice(0, firstDot);
  let header = headers?.get(headerSegment);
  if (header === undefined) {
    if (!BASE64URL_SEGMENT.test(headerSegment)) throw new InvalidTokenError('token_malformed');
    header = parseHeader(headerSegment, algorithms, typ);
    headers?.remember(headerSegment, header);
  }

  const signingInput = Buffer.from(token.slice(0, secondDot), 'utf8');
  if (signingInput.length !== secondDot) throw new InvalidTokenError('token_malformed');
  const signatureSegment = token.slice(secondDot + 1);
  const signature = Buffer.from(signatureSegment, 'base64url');
  if (signature.toString('base64url') !== signatureSegment) throw new InvalidTokenError('token_malformed');
  return { header, signingInput, signature, payloadSegment: token.slice(firstDot + 1, secondDot) };
}

function parseHeader(segment: string, algorithms: ReadonlySet<Algorithm>, typ: string | false): JwsHeader {
  const header = decodeJson(segment);
  if (header === undefined) throw new InvalidTokenError('token_malformed');
  const alg = header.alg;
  // The allow-list decides; the header only says which allowed algorithm applies.
  if (!isAlgorithm(alg) || !algorithms.has(alg)) throw new InvalidTokenError('alg_not_allowed');
  // RFC 7515 4.1.11: we understand no extension, so any `crit` makes the token unusable.
  if (header.crit !== undefined) throw new InvalidTokenError('header_invalid');
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') throw new InvalidTokenError('header_invalid');
  if (typ !== false && !typMatches(header.typ, typ)) throw new InvalidTokenError('typ_invalid');
  return Object.freeze({ alg, kid });
}

/**
 * Headers already checked, by their base64url segment. Every token one issuer key signs carries
 * the same header bytes, so after the first token a header costs a Map lookup instead of a decode
 * and a JSON parse. Only headers that passed the checks of one verifier's options are kept, and
 * the memo is per verifier. Bounded: when full it starts over, so a flood of distinct headers
 * costs memory of `max` entries at most.
 */
export interface HeaderMemo {
  get(segment: string): JwsHeader | undefined;
  remember(segment: string, header: JwsHeader): void;
}

export function createHeaderMemo(max = 64): HeaderMemo {
  const known = new Map<string, JwsHeader>();
  return {
    get: (segment) => known.get(segment),
    remember(segment, header) {
      if (known.size >= max) known.clear();
      known.set(segment, header);
    },
  };
}

/** Decodes the payload segment into a claims object, or throws `token_malformed`. */
export function decodePayload(segment: string): Record<string, unknown> {
  const payload = decodeJson(segment);
  if (payload === undefined) throw new InvalidTokenError('token_malformed');
  return payload;
}

/** True when `signature` is valid for `signingInput` under `alg` and `key`. Never throws. */
export function verifySignature(alg: Algorithm, key: KeyObject | Buffer, signingInput: Buffer, signature: Buffer): boolean {
  const spec = ALGORITHMS[alg];
  if (spec.signatureLength !== 0 && signature.length !== spec.signatureLength) return false;
  try {
    if (spec.kty === 'oct') {
      const mac = createHmac(spec.hash as string, key)
        .update(signingInput)
        .digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    return cryptoVerify(spec.hash, signingInput, keyInput(spec, key as KeyObject), signatureInput(spec, signature));
  } catch {
    // node:crypto throws on some malformed signatures (e.g. wrong RSA length): that is "invalid".
    return false;
  }
}

/**
 * {@link verifySignature} on libuv's thread pool (node:crypto's callback form): the event loop
 * only dispatches, and several checks run on several cores at once. Resolves false, never rejects.
 */
export function verifySignatureOffThread(alg: Algorithm, key: KeyObject, signingInput: Buffer, signature: Buffer): Promise<boolean> {
  const spec = ALGORITHMS[alg];
  if (spec.signatureLength !== 0 && signature.length !== spec.signatureLength) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      cryptoVerify(spec.hash, signingInput, keyInput(spec, key), signatureInput(spec, signature), (error, valid) =>
        resolve(error === null && valid),
      );
    } catch {
      resolve(false);
    }
  });
}

/**
 * The key argument of node:crypto's `verify`: the bare KeyObject, except for RSA-PSS, whose padding
 * needs the options object. Never `{ key, dsaEncoding: 'ieee-p1363' }` for ECDSA: on Node 24 the
 * options-object form costs ~30 µs more per P-256 check (see ecdsa-der.ts); PSS pays that.
 */
function keyInput(spec: AlgorithmSpec, key: KeyObject): KeyObject | VerifyKeyObjectInput {
  return spec.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : key;
}

/** The signature as node:crypto's `verify` takes it by default: ECDSA's JOSE `r || s` as DER. */
function signatureInput(spec: AlgorithmSpec, signature: Buffer): Buffer {
  return spec.kty === 'EC' ? p1363ToDer(signature) : signature;
}

function typMatches(value: unknown, expected: string): boolean {
  if (typeof value !== 'string') return false;
  const lower = value.toLowerCase();
  return (lower.startsWith('application/') ? lower.slice(12) : lower) === expected;
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
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
