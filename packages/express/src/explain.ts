/**
 * `explainToken`: every check of the verifier run on one token and reported one by one, for
 * debugging ("why is my token refused?") and for `sigil token inspect`. The checks are the
 * verifier's own (checks.ts, jws.ts), so the explanation and the verdict never disagree.
 * Never reports the signature itself.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  checkAlgorithm,
  checkAudience,
  checkClaimTypes,
  checkExpiry,
  checkHeaderFields,
  checkIssuer,
  checkNotBefore,
  checkTyp,
} from './checks.ts';
import type { SigilClaims } from './claims.ts';
import { InvalidTokenError, type InvalidTokenReason } from './errors.ts';
import { decodeJsonObject, decodePayload, parseJws, verifySignature } from './jws.ts';
import { resolveOptions, type RequireAuthOptions } from './options.ts';
import { createKeySource } from './token-verifier.ts';

/** The checks, in the order the verifier runs them. */
export const EXPLAINED_CHECKS = [
  'format',
  'alg allowed',
  'typ',
  'kid known',
  'signature',
  'claims',
  'iss',
  'aud',
  'exp',
  'nbf',
  'iat',
] as const;

export type ExplainedCheckName = (typeof EXPLAINED_CHECKS)[number];

export interface ExplainedCheck {
  name: ExplainedCheckName;
  /** `skip`: not run, because an earlier check it depends on failed (or, for `iss`, no issuer was given). */
  status: 'pass' | 'fail' | 'skip';
  /** For a failure: the reason the verifier would refuse the token with. */
  reason?: InvalidTokenReason;
  detail: string;
  /** For `exp`, `nbf` and `iat`: the claim's instant (epoch seconds), e.g. to say how long ago it was. */
  instant?: number;
}

export interface TokenExplanation {
  /** What the verifier would answer: every check passed (or was not needed) and the signature verified. */
  valid: boolean;
  /** The decoded header and payload, when they decode (they are shown, not trusted). */
  header: Record<string, unknown> | undefined;
  payload: Record<string, unknown> | undefined;
  checks: ExplainedCheck[];
}

/** Options of {@link explainToken}: the verifier's, plus the instant to check at. */
export interface ExplainOptions extends Omit<
  RequireAuthOptions,
  'issuer' | 'cookie' | 'credentialsRequired' | 'tokenCache' | 'offloadSignatures' | 'realm' | 'onError' | 'clock'
> {
  /** Expected `iss`. Without it `iss` is not compared, and a key source (jwksUri, secret or keys) must be given. */
  issuer?: string;
  /** Check `exp`, `nbf` and `iat` at this instant (epoch ms). @default Date.now() */
  at?: number;
}

// Only stands in for a missing issuer when a key source is given, so it is never fetched.
const NO_ISSUER = 'https://issuer.invalid';

/**
 * Runs every check on `token` and says which pass and why the others fail.
 *
 * @example
 * const { valid, checks } = await explainToken(token, { issuer: 'http://localhost:4000', audience: 'sigil' });
 * for (const c of checks) console.log(c.status, c.name, c.detail);
 */
export async function explainToken(token: string, options: ExplainOptions): Promise<TokenExplanation> {
  if (options?.issuer === undefined && options?.jwksUri === undefined && options?.secret === undefined && options?.keys === undefined) {
    throw new TypeError('explainToken: give the issuer, or a key source (jwksUri, secret or keys)');
  }
  const at = options.at ?? Date.now();
  const config = resolveOptions(
    { ...options, issuer: options.issuer ?? NO_ISSUER, tokenCache: false, clock: () => at },
    { caller: 'explainToken', offloadSignatures: false },
  );
  const results = new Map<ExplainedCheckName, ExplainedCheck>();
  /** Runs one check: its detail on success, `failed()` (or the reason's sentence) on failure. */
  const record = (name: ExplainedCheckName, run: () => string, failed?: () => string, instant?: number): boolean => {
    const extra = instant === undefined ? {} : { instant };
    try {
      results.set(name, { name, status: 'pass', detail: run(), ...extra });
      return true;
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      results.set(name, { name, status: 'fail', reason: error.reason, detail: failed?.() ?? error.message, ...extra });
      return false;
    }
  };
  const finish = (header?: Record<string, unknown>, payload?: Record<string, unknown>): TokenExplanation => {
    const checks = EXPLAINED_CHECKS.map(
      (name) => results.get(name) ?? { name, status: 'skip' as const, detail: 'not checked: an earlier check failed' },
    );
    const valid = checks.every((check) => check.status !== 'fail') && results.get('signature')?.status === 'pass';
    return { valid, header, payload, checks };
  };

  const segments = token.split('.');
  const shownHeader = segments.length === 3 ? decodeJsonObject(segments[0]!) : undefined;
  const shownPayload = segments.length === 3 ? decodeJsonObject(segments[1]!) : undefined;
  let parsed: ReturnType<typeof parseJws> | undefined;
  const wellFormed = record('format', () => {
    parsed = parseJws(token, config.maxTokenLength);
    checkHeaderFields(parsed.header);
    return 'compact JWS: a JSON header, a payload and a signature in canonical base64url';
  });
  if (!wellFormed || !parsed) return finish(shownHeader, shownPayload);
  const { header } = parsed;

  let alg: ReturnType<typeof checkAlgorithm> | undefined;
  const algAllowed = record('alg allowed', () => (alg = checkAlgorithm(header, config.algorithms)));
  record('typ', () => {
    checkTyp(header, config.typ);
    return config.typ === false ? 'not required' : String(header.typ);
  });

  let key: KeyObject | undefined;
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  if (algAllowed && alg) {
    const source = config.keySource;
    if (source.kind === 'secret') {
      key = createSecretKey(source.secret);
      results.set('kid known', { name: 'kid known', status: 'pass', detail: 'the shared secret' });
    } else {
      const keys = createKeySource(config, undefined);
      await keys.reload(kid);
      const found = keys.lookup(kid, alg);
      if (found === undefined || found === 'mismatch') {
        const reason = found === 'mismatch' ? 'key_mismatch' : keys.loaded ? 'key_not_found' : 'jwks_unavailable';
        results.set('kid known', { name: 'kid known', status: 'fail', reason, detail: new InvalidTokenError(reason).message });
      } else {
        key = found.key;
        results.set('kid known', { name: 'kid known', status: 'pass', detail: kid ?? 'the only key fitting the algorithm' });
      }
    }
  }
  if (key && alg) {
    record(
      'signature',
      () => {
        if (!verifySignature(alg!, key!, parsed!.signingInput, parsed!.signature)) throw new InvalidTokenError('signature_invalid');
        return `valid ${alg} signature`;
      },
      () => `does not verify with ${kid === undefined ? 'the key' : `key ${kid}`}: the token was altered, or signed by another key`,
    );
  }

  let claims: SigilClaims | undefined;
  const typed = record('claims', () => {
    const payload = decodePayload(parsed!.payloadSegment);
    checkClaimTypes(payload);
    claims = payload;
    return 'registered and Sigil claims have their types';
  });
  if (!typed || !claims) return finish(header, shownPayload);
  const checked: SigilClaims = claims;
  const tolerance = config.clockToleranceMs;
  if (options.issuer === undefined) {
    results.set('iss', { name: 'iss', status: 'skip', detail: `${String(checked.iss)}: not compared, no issuer given` });
  } else {
    record('iss', () => {
      checkIssuer(checked, config.issuer);
      return config.issuer;
    });
  }
  record('aud', () => {
    checkAudience(checked, config.audiences);
    return [checked.aud].flat().join(', ');
  });
  record(
    'exp',
    () => {
      checkExpiry(checked, tolerance, at);
      return `expires ${when(checked.exp)}`;
    },
    () => `expired ${when(checked.exp)}`,
    checked.exp,
  );
  for (const name of ['nbf', 'iat'] as const) {
    const start = checked[name];
    record(
      name,
      () => {
        checkNotBefore(checked, name, tolerance, at);
        return start === undefined ? 'not present' : `${name === 'nbf' ? 'valid since' : 'issued'} ${when(start)}`;
      },
      () => `not valid before ${when(start!)}`,
      start,
    );
  }
  return finish(header, shownPayload);
}

/** `2026-11-25 16:40:00Z`: a NumericDate as a reader wants it. */
function when(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime())
    ? String(seconds)
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, 'Z');
}
