/**
 * `createVerifier`: the token checks of `requireAuth` without Express, for WebSocket upgrades,
 * job queues, GraphQL contexts or benchmarks. Same options (minus the HTTP ones), same caches.
 */
import type { SigilClaims } from './claims.ts';
import { resolveOptions, type RequireAuthOptions } from './options.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

/** Options of {@link createVerifier}: those of `requireAuth` that are about tokens, not HTTP. */
export type VerifierOptions = Omit<RequireAuthOptions, 'cookie' | 'credentialsRequired' | 'realm' | 'onError'>;

/** Verifies one access token: resolves its frozen claims, or rejects with an `InvalidTokenError`. */
export type AccessTokenVerifier = (token: string) => Promise<SigilClaims>;

/**
 * Creates a verifier. Bad options throw `TypeError` now.
 *
 * @example
 * const verify = createVerifier({ issuer: 'http://localhost:4000', audience: 'sigil' });
 * server.on('upgrade', async (req, socket) => {
 *   try { const claims = await verify(tokenFrom(req)); ... } catch { socket.destroy(); }
 * });
 */
export function createVerifier(options: VerifierOptions): AccessTokenVerifier {
  return promising(createTokenVerifier(resolveOptions(options, { caller: 'createVerifier', offloadSignatures: false })));
}

/** The verifier's check as a function that always returns a promise. */
export function promising(verifier: TokenVerifier): AccessTokenVerifier {
  return async (token) => {
    if (typeof token !== 'string') throw new TypeError('createVerifier: token must be a string');
    return verifier.check(token);
  };
}
