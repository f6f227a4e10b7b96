/**
 * `@sigil/client/internal`: what @sigil/angular builds on, so its option checks, its list of the
 * auth server's token endpoints and its 401 handling are the client's own. Unstable: not part of
 * the documented API, and it may change in any release, minor and patch ones included
 * (docs/client.md, "Internal entry point").
 */
export { createSigilSession, type SigilSession } from './client.ts';
export { resolveCommonOptions, type CommonOptions, type SessionOptions } from './options.ts';
export { invalidArgument } from './invalid-argument.ts';
export { isAuthServerEndpoint, tokenAfterRejection, type TokenSource } from './auth-fetch.ts';
export { hasCode } from './errors.ts';
export { attempt } from './attempt.ts';
export { isStepUp, stepUpRequired } from './step-up.ts';
export { createSigilRedirectSession, type SigilRedirectSession, type RedirectFlow } from './redirect-client.ts';
export { resolveRedirectOptions, type RedirectOptions, type ResolvedRedirectOptions } from './redirect-options.ts';
