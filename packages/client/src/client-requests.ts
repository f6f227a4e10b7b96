import { invalidArgument } from './invalid-argument.ts';
import type { AuthRequests } from './strategy.ts';

/**
 * Each client's requests to its auth server (its issuer, its `fetch`, its timeout and error
 * reading), kept beside the client rather than on it: the entry points built on a client
 * (`@sigil/client/account`) find them here, and the client's public shape does not grow.
 */
const requestsByClient = new WeakMap<object, AuthRequests>();

/** Called once by the client factory for every client it makes. */
export function bindRequests(client: object, requests: AuthRequests): void {
  requestsByClient.set(client, requests);
}

/**
 * The requests of a client from `createSigilClient` (or `createSigilSession`); a `TypeError` for
 * anything else, a caller's mistake found when the entry point is set up.
 *
 * @example
 * const requests = requestsOf(client);
 */
export function requestsOf(client: object): AuthRequests {
  return requestsByClient.get(client) ?? invalidArgument('client', 'a client from createSigilClient');
}
