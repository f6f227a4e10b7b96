import { invalidArgument } from './invalid-argument.ts';
import type { SigilUser } from './session.ts';
import type { AuthRequests } from './strategy.ts';

/**
 * Starts the client's session from a token endpoint: POSTs `body` to `path` (with the client's
 * token delivery) and makes the TokenResponse the session, here and in synced tabs, as `login`
 * does. Resolves to the signed-in user.
 */
export type SignIn = (path: string, body: object) => Promise<SigilUser>;

interface Binding {
  requests: AuthRequests;
  signIn: SignIn;
}

/**
 * Each client's requests to its auth server (its issuer, its `fetch`, its timeout and error
 * reading) and its way to start a session, kept beside the client rather than on it: the entry
 * points built on a client (`@sigil/client/account`, `/passkeys`) find them here, and the client's
 * public shape does not grow.
 */
const bindings = new WeakMap<object, Binding>();

/** Called once by the client factory for every client it makes. */
export function bindRequests(client: object, requests: AuthRequests, signIn: SignIn): void {
  bindings.set(client, { requests, signIn });
}

function bindingOf(client: object): Binding {
  return bindings.get(client) ?? invalidArgument('client', 'a client from createSigilClient');
}

/**
 * The requests of a client from `createSigilClient` (or `createSigilSession`); a `TypeError` for
 * anything else, a caller's mistake found when the entry point is set up.
 *
 * @example
 * const requests = requestsOf(client);
 */
export function requestsOf(client: object): AuthRequests {
  return bindingOf(client).requests;
}

/**
 * How an entry point starts the session of a client from `createSigilClient` (or
 * `createSigilSession`): a passkey sign-in answers with a TokenResponse like `login`'s.
 *
 * @example
 * const user = await signInOf(client)('/auth/passkeys/login', { response });
 */
export function signInOf(client: object): SignIn {
  return bindingOf(client).signIn;
}
