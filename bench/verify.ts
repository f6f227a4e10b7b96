/**
 * Benchmark 1: token verification ops/s, in process, one verification at a time.
 *
 * - cold: a pool of 1 200 distinct tokens cycled, more than any cache here holds (1 000), so every
 *   operation is a full verification (for caching verifiers: a miss plus the insertion).
 * - cached: the same token every time (only for verifiers with a verified-token cache).
 *
 * Each contender is configured the way it is used in an API: Sigil's `createVerifier` (the token
 * checks of `requireAuth` without Express; promise-returning) with its JWKS cache; jose with `createRemoteJWKSet`; fast-jwt with the PEM key (its fastest, synchronous
 * form); jsonwebtoken with `jwks-rsa`'s `getSigningKey` per token (what express-jwt does).
 * Raw `crypto.verify` (HMAC: `createHmac` + `timingSafeEqual`) on pre-split buffers and a
 * pre-imported KeyObject is the floor, in its fastest form: for ES256 the bare KeyObject and the
 * signature converted to DER beforehand (`{ key, dsaEncoding: 'ieee-p1363' }` costs ~30 µs more
 * per check on Node 24: see packages/express/src/ecdsa-der.ts).
 */
import { createHmac, createPublicKey, createSecretKey, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createVerifier as createSigilVerifier } from '@sigil/express';
import { joseToDer } from 'ecdsa-sig-formatter';
import { createVerifier } from 'fast-jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { ALGS, AUDIENCE, HS256_SECRET, ISSUER, signToken, signTokens, type Alg, type KeyRing } from './lib/keys.ts';
import { measureOps, median, type MeasureOptions } from './lib/measure.ts';

export const POOL_SIZE = 1_200;

export interface VerifyRow {
  alg: Alg;
  contender: string;
  /** ops/s; undefined when the contender does not support the algorithm or has no such mode. */
  cold: number | undefined;
  cached: number | undefined;
}

export interface VerifyResult {
  rows: VerifyRow[];
  poolSize: number;
}

type Verify = (i: number) => unknown;
interface Contender {
  name: string;
  /** Builds the verify function for `tokens` (null: algorithm not supported). */
  make(alg: Alg, tokens: string[]): Promise<Verify | null>;
  cached: boolean;
}

export async function runVerify(ring: KeyRing, jwksUri: string, opts: MeasureOptions, log: (line: string) => void): Promise<VerifyResult> {
  const jwksClient = jwksRsa({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 });
  const remoteSet = createRemoteJWKSet(new URL(jwksUri));
  const secretBytes = new TextEncoder().encode(HS256_SECRET);
  const publicKeys = {} as Record<Alg, KeyObject | undefined>;
  for (const alg of ALGS)
    publicKeys[alg] = ring[alg].publicJwk ? createPublicKey({ key: ring[alg].publicJwk as never, format: 'jwk' }) : undefined;
  const pemOf = (alg: Alg): string =>
    alg === 'HS256' ? HS256_SECRET : (publicKeys[alg]!.export({ type: 'spki', format: 'pem' }) as string);

  const sigil =
    (tokenCache: boolean) =>
    async (alg: Alg, tokens: string[]): Promise<Verify> => {
      const verify = createSigilVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        ...(alg === 'HS256' ? { secret: HS256_SECRET } : { jwksUri }),
        tokenCache,
      });
      await verify(tokens[0]!); // loads the key set
      return (i) => verify(tokens[i % tokens.length]!);
    };

  const contenders: Contender[] = [
    {
      name: 'crypto.verify (floor)',
      cached: false,
      async make(alg, tokens) {
        const parts = tokens.map((t) => {
          const dot = t.lastIndexOf('.');
          const sig = Buffer.from(t.slice(dot + 1), 'base64url');
          return { input: Buffer.from(t.slice(0, dot)), sig: alg === 'ES256' ? joseToDer(sig, alg) : sig };
        });
        const key = publicKeys[alg];
        if (alg === 'HS256') {
          const secret = createSecretKey(Buffer.from(HS256_SECRET));
          return (i) => {
            const p = parts[i % parts.length]!;
            const mac = createHmac('sha256', secret).update(p.input).digest();
            if (!timingSafeEqual(mac, p.sig)) throw new Error('bad mac');
          };
        }
        const hash = alg === 'EdDSA' ? null : 'sha256';
        return (i) => {
          const p = parts[i % parts.length]!;
          if (!cryptoVerify(hash, p.input, key!, p.sig)) throw new Error('bad signature');
        };
      },
    },
    {
      // The least any verifier must add: the token arrives as one string, so it must at least be
      // cut at its last dot and the signature decoded. Context for the floor, not a target.
      name: 'crypto.verify + token split',
      cached: false,
      async make(alg, tokens) {
        const key = publicKeys[alg];
        const secret = alg === 'HS256' ? createSecretKey(Buffer.from(HS256_SECRET)) : undefined;
        const hash = alg === 'EdDSA' ? null : 'sha256';
        return (i) => {
          const token = tokens[i % tokens.length]!;
          const dot = token.lastIndexOf('.');
          const input = Buffer.from(token.slice(0, dot), 'latin1');
          const raw = Buffer.from(token.slice(dot + 1), 'base64url');
          if (secret) {
            if (!timingSafeEqual(createHmac('sha256', secret).update(input).digest(), raw)) throw new Error('bad mac');
          } else if (!cryptoVerify(hash, input, key!, alg === 'ES256' ? joseToDer(raw, alg) : raw)) throw new Error('bad signature');
        };
      },
    },
    { name: 'Sigil', cached: true, make: sigil(true) },
    { name: 'Sigil (cache off)', cached: false, make: sigil(false) },
    {
      name: 'fast-jwt (cache)',
      cached: true,
      async make(alg, tokens) {
        const verifier = createVerifier({ key: pemOf(alg), algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE, cache: 1_000 });
        return (i) => verifier(tokens[i % tokens.length]!);
      },
    },
    {
      name: 'fast-jwt (no cache)',
      cached: false,
      async make(alg, tokens) {
        const verifier = createVerifier({ key: pemOf(alg), algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE });
        return (i) => verifier(tokens[i % tokens.length]!);
      },
    },
    {
      name: 'jose',
      cached: false,
      async make(alg, tokens) {
        const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], typ: 'at+jwt' };
        if (alg === 'HS256') return (i) => jwtVerify(tokens[i % tokens.length]!, secretBytes, options);
        return (i) => jwtVerify(tokens[i % tokens.length]!, remoteSet, options);
      },
    },
    {
      name: 'jsonwebtoken + jwks-rsa',
      cached: false,
      async make(alg, tokens) {
        if (alg === 'EdDSA') return null; // jsonwebtoken 9 has no EdDSA
        const options = { algorithms: [alg as jsonwebtoken.Algorithm], issuer: ISSUER, audience: AUDIENCE };
        if (alg === 'HS256') return (i) => jsonwebtoken.verify(tokens[i % tokens.length]!, HS256_SECRET, options);
        const kid = ring[alg].kid;
        return async (i) => {
          const key = await jwksClient.getSigningKey(kid);
          return jsonwebtoken.verify(tokens[i % tokens.length]!, key.getPublicKey(), options);
        };
      },
    },
  ];

  const rows: VerifyRow[] = [];
  const samples = opts.samples ?? 3;
  for (const alg of ALGS) {
    const pool = await signTokens(ring[alg], POOL_SIZE);
    const hot = [await signToken(ring[alg])];
    // Every job keeps its own position in the pool across samples, so a caching verifier never
    // sees a token again before the pool has gone round (always a miss when cold).
    const jobs: Array<{ row: VerifyRow; kind: 'cold' | 'cached'; fn: Verify; samples: number[] }> = [];
    const job = (row: VerifyRow, kind: 'cold' | 'cached', verify: Verify) => {
      let next = 0;
      jobs.push({ row, kind, fn: () => verify(next++), samples: [] });
    };
    for (const contender of contenders) {
      const row: VerifyRow = { alg, contender: contender.name, cold: undefined, cached: undefined };
      rows.push(row);
      const coldFn = await contender.make(alg, pool);
      if (coldFn === null) continue;
      await coldFn(0); // proves the setup accepts the token (throws otherwise)
      job(row, 'cold', coldFn);
      if (contender.cached) job(row, 'cached', (await contender.make(alg, hot))!);
    }
    // Samples interleave the contenders: a busy moment of the shared machine hits them all alike.
    for (const j of jobs) await measureOps(j.fn, { durationMs: 0, warmupMs: opts.warmupMs, samples: 0 });
    for (let s = 0; s < samples; s++) {
      for (const j of jobs)
        j.samples.push((await measureOps(j.fn, { durationMs: opts.durationMs / samples, warmupMs: 0, samples: 1 })).opsPerSec);
    }
    for (const j of jobs) j.row[j.kind] = median(j.samples);
    for (const row of rows.filter((r) => r.alg === alg)) {
      log(
        `verify ${alg.padEnd(5)} ${row.contender.padEnd(26)} ${row.cold === undefined ? 'n/a' : `cold ${fmt(row.cold)}`}${row.cached === undefined ? '' : `  cached ${fmt(row.cached)}`}`,
      );
    }
  }
  return { rows, poolSize: POOL_SIZE };
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} ops/s`.padStart(16);
