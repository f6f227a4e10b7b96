import { invalidArgument } from './invalid-argument.ts';
import { sessionFromTokenResponse, type Session, type SigilUser } from './session.ts';
import type { AuthRequests } from './strategy.ts';

interface Binding {
  requests: AuthRequests;
  /** Makes `session` the client's, here and in synced tabs, as `login` does; returns its user. */
  startSession(session: Session): SigilUser;
}

/**
 * Each client's requests to its auth server (its issuer, its `fetch`, its timeout and error
 * reading) and its way to start a session, kept beside the client rather than on it: the entry
 * points built on a client (`@sigil/client/account`, `/passkeys`) find them here, and the client's
 * public shape does not grow.
 */
const bindings = new WeakMap<object, Binding>();

/** Called once by the client factory for every client it makes. */
export function bindRequests(client: object, requests: AuthRequests, startSession: Binding['startSession']): void {
  bindings.set(client, { requests, startSession });
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
 * How an entry point signs a client (from `createSigilClient` or `createSigilSession`) in at a
 * token endpoint: POSTs `body` to `path` with the client's token delivery and makes the
 * TokenResponse the client's session, as `login` does (a passkey sign-in answers like a login).
 * Resolves to the signed-in user.
 *
 * @example
 * const user = await signInOf(client)('/auth/passkeys/login', { response });
 */
export function signInOf(client: object): (path: string, body: object) => Promise<SigilUser> {
  const { requests, startSession } = bindingOf(client);
  return async (path, body) => {
    // Expiry counts from when the request was sent, on the client's clock, as for `login`.
    const sentAt = requests.now();
    const answer = await requests.json(requests.post(path, body));
    // In cookie delivery (which `post` asks for in cookie mode) the server leaves the refresh token
    // out of the body: it is in the HttpOnly cookie.
    return startSession(sessionFromTokenResponse(answer, sentAt, answer?.['refresh_token'] !== undefined));
  };
}

/**
 * How an entry point makes a session it obtained itself (the redirect flow's code exchange) the
 * client's, here and in synced tabs, as `login` does. Resolves to its user.
 *
 * @example
 * const user = sessionStarterOf(client)(await api.exchangeCode(code, pending));
 */
export function sessionStarterOf(client: object): (session: Session) => SigilUser {
  return bindingOf(client).startSession;
}
