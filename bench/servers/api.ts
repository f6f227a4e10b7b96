/**
 * Child process: one protected route (`GET /api/lessons`) behind the middleware under test.
 * argv[2] is a JSON {@link ApiTargetConfig}. Answers `memory` (RSS, heap) over IPC.
 */
import { createPublicKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { requireAuth } from '@sigil/express';
import { expressjwt } from 'express-jwt';
import { createVerifier } from 'fast-jwt';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import jwksRsa from 'jwks-rsa';
import { answerParent } from '../lib/child.ts';
import { AUDIENCE, HS256_SECRET, ISSUER } from '../lib/keys.ts';
import { LESSONS, type ApiTargetConfig } from '../lib/targets.ts';

const config = JSON.parse(process.argv[2]!) as ApiTargetConfig;

async function authMiddleware(): Promise<RequestHandler | undefined> {
  const { target, alg, jwksUri } = config;
  const hs = alg === 'HS256';
  switch (target) {
    case 'bare':
      return undefined;
    case 'sigil':
    case 'sigil-nocache':
      return requireAuth({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        ...(hs ? { secret: HS256_SECRET } : { jwksUri }),
        tokenCache: target !== 'sigil-nocache',
      }) as RequestHandler;
    case 'express-jwt':
      if (alg === 'EdDSA') throw new Error('express-jwt (jsonwebtoken) has no EdDSA');
      return expressjwt({
        secret: hs
          ? HS256_SECRET
          : (jwksRsa.expressJwtSecret({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }) as never),
        algorithms: [alg],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
    case 'jose': {
      // The minimal jose-only middleware people write: remote key set + jwtVerify.
      const key = hs ? new TextEncoder().encode(HS256_SECRET) : createRemoteJWKSet(new URL(jwksUri));
      const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], typ: 'at+jwt' };
      return (req, res, next) => {
        const header = req.headers.authorization;
        if (!header?.startsWith('Bearer ')) return void res.status(401).end();
        jwtVerify(header.slice(7), key as never, options).then(
          ({ payload }) => {
            (req as { auth?: JWTPayload }).auth = payload;
            next();
          },
          () => res.status(401).end(),
        );
      };
    }
    case 'fast-jwt': {
      // fast-jwt's fastest form: synchronous verifier, PEM key read from the JWKS at startup,
      // verified-token cache on (1 000 entries, as Sigil's default).
      let key = HS256_SECRET;
      if (!hs) {
        const jwks = (await (await fetch(jwksUri)).json()) as { keys: Array<{ alg: string }> };
        const jwk = jwks.keys.find((k) => k.alg === alg);
        key = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      }
      const verify = createVerifier({ key, algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE, cache: 1_000 });
      return (req, res, next) => {
        const header = req.headers.authorization;
        if (!header?.startsWith('Bearer ')) return void res.status(401).end();
        let payload: JWTPayload;
        try {
          payload = verify(header.slice(7));
        } catch {
          return void res.status(401).end();
        }
        (req as { auth?: JWTPayload }).auth = payload;
        next();
      };
    }
  }
}

async function serve(): Promise<number> {
  const app = express();
  const auth = await authMiddleware();
  if (auth) {
    app.get('/api/lessons', auth, (req, res) => {
      if (!(req as { auth?: unknown }).auth) return void res.status(500).end();
      res.json(LESSONS);
    });
  } else app.get('/api/lessons', (_req, res) => void res.json(LESSONS));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

const port = await serve();
answerParent({
  memory: () => {
    globalThis.gc?.();
    return process.memoryUsage();
  },
});
process.send!({ type: 'listening', port });
