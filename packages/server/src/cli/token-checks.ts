import { compactVerify } from 'jose';
import type { KeyMaterial } from '../keys/index.ts';
import { formatDate, relative } from './output.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface Check {
  name: 'format' | 'alg allowed' | 'typ' | 'kid known' | 'signature' | 'iss' | 'aud' | 'exp' | 'nbf' | 'iat';
  status: CheckStatus;
  detail: string;
}

export type KeyLookup = { key: KeyMaterial; detail: string } | { error: string };

export interface InspectOptions {
  /** Algorithms the verifier accepts: never taken from the token. */
  allowedAlgorithms: readonly string[];
  /** Expected `iss`; undefined when it cannot be known (the check is then skipped, and says why). */
  issuer: string | undefined;
  issuerHint?: string;
  audience: string;
  now: Date;
  /** Seconds of leeway on exp, nbf and iat. */
  clockTolerance: number;
  resolveKey(kid: string, alg: string): Promise<KeyLookup>;
}

export interface Inspection {
  valid: boolean;
  header: Record<string, unknown> | undefined;
  payload: Record<string, unknown> | undefined;
  checks: Check[];
}

const CHECK_ORDER: Check['name'][] = ['format', 'alg allowed', 'typ', 'kid known', 'signature', 'iss', 'aud', 'exp', 'nbf', 'iat'];

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes an access token and runs every check a Sigil verifier runs, one by one, so that the
 * caller learns exactly which one fails and why. Never returns or prints the signature.
 *
 * @example
 * const { valid, checks } = await inspectToken(jwt, { allowedAlgorithms: ['RS256'], issuer, audience: 'sigil', now: new Date(), clockTolerance: 0, resolveKey });
 */
export async function inspectToken(token: string, options: InspectOptions): Promise<Inspection> {
  const checks: Check[] = [];
  const add = (name: Check['name'], status: CheckStatus, detail: string) => checks.push({ name, status, detail });
  const finish = (header?: Record<string, unknown>, payload?: Record<string, unknown>): Inspection => {
    for (const name of CHECK_ORDER) if (!checks.some((c) => c.name === name)) add(name, 'skip', 'not checked: the token cannot be decoded');
    checks.sort((a, b) => CHECK_ORDER.indexOf(a.name) - CHECK_ORDER.indexOf(b.name));
    const valid = checks.every((c) => c.status !== 'fail') && checks.find((c) => c.name === 'signature')!.status === 'pass';
    return { valid, header, payload, checks };
  };

  // format
  const parts = token.split('.');
  if (parts.length !== 3) {
    add(
      'format',
      'fail',
      `expected a JWS compact token (three dot-separated parts), got ${parts.length} part${parts.length === 1 ? '' : 's'}`,
    );
    return finish();
  }
  if (!parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) {
    add('format', 'fail', 'every part must be non-empty base64url (A-Z a-z 0-9 - _, no padding)');
    return finish();
  }
  const header = decodeSegment(parts[0]!);
  const payload = decodeSegment(parts[1]!);
  if (!header || !payload) {
    add('format', 'fail', `the ${header ? 'payload' : 'header'} is not a base64url-encoded JSON object`);
    return finish(header, payload);
  }
  add('format', 'pass', 'JWS compact: JSON header and payload, signature present');

  // alg
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const algAllowed = alg !== undefined && options.allowedAlgorithms.includes(alg);
  if (alg === undefined) add('alg allowed', 'fail', 'no alg in the header');
  else if (alg.toLowerCase() === 'none') add('alg allowed', 'fail', 'alg none: unsigned tokens are never accepted');
  else if (!algAllowed) add('alg allowed', 'fail', `${alg} is not accepted here (accepted: ${options.allowedAlgorithms.join(', ')})`);
  else add('alg allowed', 'pass', alg);

  // typ
  const typ = typeof header.typ === 'string' ? header.typ : undefined;
  const normalizedTyp = typ?.toLowerCase().replace(/^application\//, '');
  if (normalizedTyp === 'at+jwt') add('typ', 'pass', typ!);
  else
    add(
      'typ',
      'fail',
      typ === undefined
        ? 'no typ in the header; access tokens carry typ at+jwt (RFC 9068)'
        : `${typ}, expected at+jwt (RFC 9068): not an access token`,
    );

  // kid + signature
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  let key: KeyMaterial | undefined;
  if (kid === undefined) add('kid known', 'fail', 'no kid in the header');
  else if (alg === undefined) add('kid known', 'skip', 'not checked: no alg');
  else {
    const found = await options.resolveKey(kid, alg);
    if ('error' in found) add('kid known', 'fail', `${kid}: ${found.error}`);
    else {
      key = found.key;
      add('kid known', 'pass', `${kid} (${found.detail})`);
    }
  }
  if (!algAllowed) add('signature', 'skip', 'not checked: the algorithm is not accepted');
  else if (!key) add('signature', 'skip', 'not checked: no verification key for this kid');
  else {
    try {
      await compactVerify(token, key, { algorithms: [alg!] });
      add('signature', 'pass', `valid ${alg} signature`);
    } catch {
      add('signature', 'fail', `does not verify with key ${kid}: the token was altered, or signed by another key`);
    }
  }

  // claims
  const { now, clockTolerance } = options;
  const at = now.getTime() / 1000;
  const when = (seconds: number) => `${formatDate(new Date(seconds * 1000))} (${relative(new Date(seconds * 1000), now)})`;

  const iss = payload.iss;
  if (typeof iss !== 'string') add('iss', 'fail', 'missing');
  else if (options.issuer === undefined)
    add('iss', 'skip', `${iss}: not compared, the expected issuer is unknown${options.issuerHint ? ` (${options.issuerHint})` : ''}`);
  else if (iss !== options.issuer)
    add('iss', 'fail', `${iss}, expected ${options.issuer}${options.issuerHint ? ` (${options.issuerHint})` : ''}`);
  else add('iss', 'pass', iss);

  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  if (audiences.length === 0) add('aud', 'fail', 'missing');
  else if (!audiences.includes(options.audience)) add('aud', 'fail', `${audiences.join(', ')}, expected ${options.audience}`);
  else add('aud', 'pass', audiences.join(', '));

  const exp = payload.exp;
  if (typeof exp !== 'number') add('exp', 'fail', 'missing or not a number');
  else if (exp + clockTolerance <= at) add('exp', 'fail', `expired ${when(exp)}`);
  else add('exp', 'pass', `expires ${when(exp)}`);

  const nbf = payload.nbf;
  if (nbf === undefined) add('nbf', 'pass', 'not present');
  else if (typeof nbf !== 'number') add('nbf', 'fail', 'not a number');
  else if (nbf - clockTolerance > at) add('nbf', 'fail', `not valid before ${when(nbf)}`);
  else add('nbf', 'pass', `valid since ${when(nbf)}`);

  const iat = payload.iat;
  if (typeof iat !== 'number') add('iat', 'fail', 'missing or not a number');
  else if (iat - clockTolerance > at) add('iat', 'fail', `issued in the future: ${when(iat)}`);
  else add('iat', 'pass', `issued ${when(iat)}`);

  return finish(header, payload);
}
