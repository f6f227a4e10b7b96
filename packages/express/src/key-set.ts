/**
 * Turns a JWKS document into verification keys, each imported once into a node:crypto KeyObject,
 * and picks the key for a token. Only public signature keys are kept: `oct` keys, private
 * material, encryption keys and RSA keys under 2048 bits are ignored.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ALGORITHMS, type Algorithm } from './algorithms.ts';

/** A published key, ready for `crypto.verify`. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  readonly crv: string | undefined;
  /** The JWK's own `alg`, when it pins one. */
  readonly alg: string | undefined;
  readonly key: KeyObject;
  /** Identity of the key material, to notice a `kid` reused for a different key. */
  readonly fingerprint: string;
}

/** The usable keys of one JWKS response. */
export interface KeySet {
  readonly byKid: ReadonlyMap<string, VerificationKey>;
  readonly all: readonly VerificationKey[];
  /** JWKs that were skipped, with why (for the logger). */
  readonly skipped: readonly string[];
}

const PUBLIC_MEMBERS = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] } as const;

/**
 * Parses a JWKS body; `undefined` when it is not a JWKS at all (so the last good set is kept).
 * Keys already in `previous` (same material) are reused, not imported again.
 */
export function importKeySet(body: unknown, previous?: KeySet): KeySet | undefined {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys)) return undefined;
  const byKid = new Map<string, VerificationKey>();
  const all: VerificationKey[] = [];
  const skipped: string[] = [];
  for (const jwk of (body as { keys: unknown[] }).keys) {
    const result = importKey(jwk, previous);
    if (typeof result === 'string') {
      skipped.push(result);
      continue;
    }
    if (result.kid !== undefined) {
      if (byKid.has(result.kid)) {
        skipped.push(`duplicate kid ${JSON.stringify(result.kid)}`);
        continue;
      }
      byKid.set(result.kid, result);
    }
    all.push(result);
  }
  return { byKid, all, skipped };
}

/**
 * The key that may verify a token with this header: by `kid`, or the only key fitting `alg`
 * when the token has no `kid`. `undefined` when none; `'mismatch'` when the `kid` names a key
 * whose type cannot produce `alg` (e.g. HS256 or ES256 with an RSA key).
 */
export function selectKey(set: KeySet, kid: string | undefined, alg: Algorithm): VerificationKey | 'mismatch' | undefined {
  if (kid !== undefined) {
    const key = set.byKid.get(kid);
    if (key === undefined) return undefined;
    return keyFits(key, alg) ? key : 'mismatch';
  }
  const candidates = set.all.filter((key) => keyFits(key, alg));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** True when `key`'s type, curve and own `alg` (if any) allow `alg`. */
export function keyFits(key: VerificationKey, alg: Algorithm): boolean {
  const spec = ALGORITHMS[alg];
  if (spec.kty !== key.kty || spec.crv !== key.crv) return false;
  if (key.alg === undefined) return true;
  // "EdDSA" and its fully-specified name "Ed25519" (RFC 9864) name the same thing for Ed25519 keys.
  return key.alg === alg || (key.kty === 'OKP' && (key.alg === 'EdDSA' || key.alg === 'Ed25519') && (alg === 'EdDSA' || alg === 'Ed25519'));
}

function importKey(jwk: unknown, previous: KeySet | undefined): VerificationKey | string {
  if (typeof jwk !== 'object' || jwk === null) return 'not an object';
  const j = jwk as Record<string, unknown>;
  const kid = typeof j.kid === 'string' ? j.kid : undefined;
  const label = kid === undefined ? 'key without kid' : `key ${JSON.stringify(kid.slice(0, 64))}`;
  if (j.kty !== 'RSA' && j.kty !== 'EC' && j.kty !== 'OKP') return `${label}: kty ${String(j.kty)} is not a public signature key type`;
  if (j.use !== undefined && j.use !== 'sig') return `${label}: use is not "sig"`;
  if (j.key_ops !== undefined && !(Array.isArray(j.key_ops) && j.key_ops.includes('verify'))) return `${label}: key_ops lacks "verify"`;
  if (j.alg !== undefined && typeof j.alg !== 'string') return `${label}: alg is not a string`;
  const publicJwk: Record<string, unknown> = { kty: j.kty };
  for (const member of PUBLIC_MEMBERS[j.kty]) {
    if (typeof j[member] !== 'string') return `${label}: missing ${member}`;
    publicJwk[member] = j[member];
  }
  const crv = j.kty === 'RSA' ? undefined : (j.crv as string);
  if (j.kty === 'OKP' && crv !== 'Ed25519') return `${label}: curve ${crv} not supported`;
  const fingerprint = createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url');
  const known = previous?.all.find((k) => k.fingerprint === fingerprint && k.kid === kid && k.alg === j.alg);
  if (known) return known;
  let key: KeyObject;
  try {
    // Only the public members go in: a JWKS that leaks a private key still yields a public key.
    key = createPublicKey({ key: publicJwk as never, format: 'jwk' });
  } catch {
    return `${label}: not a valid ${j.kty} public key`;
  }
  const details = key.asymmetricKeyDetails;
  if (j.kty === 'RSA' && (details?.modulusLength ?? 0) < 2048) return `${label}: RSA key shorter than 2048 bits`;
  return Object.freeze({ kid, kty: j.kty, crv, alg: j.alg as string | undefined, key, fingerprint });
}

/** Fingerprints of the keys in `previous` that `next` no longer has (to drop the tokens they verified). */
export function removedKeys(previous: KeySet, next: KeySet): ReadonlySet<string> {
  const kept = new Set(next.all.map((key) => key.fingerprint));
  return new Set(previous.all.map((key) => key.fingerprint).filter((fingerprint) => !kept.has(fingerprint)));
}
