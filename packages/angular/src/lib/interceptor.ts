import { type HttpErrorResponse, type HttpEvent, type HttpHandlerFn, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { DOCUMENT, inject } from '@angular/core';
import { catchError, from, switchMap, type Observable } from 'rxjs';
import { hasCode, isStepUp, tokenAfterRejection, type SigilSession } from '@sigil/client/internal';
import { AuthState } from './auth-state';
import { isApiUrl } from './urls';

/**
 * Adds `Authorization: Bearer <access token>` to requests for the configured `apiOrigins`, and
 * recovers from an expired token: on a 401 it renews the token once (one refresh shared by every
 * request that fails at the same time) and retries the request once; if that fails too the user is
 * logged out and sent to the login route with `returnUrl`. Requests made while a refresh runs wait
 * for it. Other origins and the auth server's token endpoints pass through untouched. A 401 that
 * asks for a step-up (`insufficient_user_authentication`, RFC 9470) is not about the token: it
 * passes through with no refresh and no logout (`stepUpInterceptor` makes it a `StepUpRequiredError`).
 *
 * @example
 * provideHttpClient(withInterceptors([authInterceptor]))
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const state = inject(AuthState);
  const base = inject(DOCUMENT).baseURI;
  // A request that already carries credentials was authorised by the caller on purpose.
  if (req.headers.has('Authorization') || !isApiUrl(req.url, base, state.config)) return next(req);
  // A `throw` inside an operator's callback is the observable's error, as with `throwError`.
  return from(state.getAccessToken()).pipe(
    switchMap((token) =>
      token === null
        ? next(req)
        : next(withBearer(req, token)).pipe(
            catchError((error: unknown) => {
              if (!isUnauthorized(error)) throw error;
              return retryOnce(req, next, state, token, error);
            }),
          ),
    ),
  );
};

/** One refresh, one retry. A second 401, or no new token, ends the session: no loop is possible. */
function retryOnce(
  req: HttpRequest<unknown>,
  next: HttpHandlerFn,
  state: AuthState,
  rejected: string,
  firstError: unknown,
): Observable<HttpEvent<unknown>> {
  // `undefined`: the auth server could not be asked (offline, 5xx): keep the session, report the 401.
  return from(tokenAfterUnauthorized(state.client, rejected)).pipe(
    switchMap((token) => {
      if (token == null) {
        if (token === null) void state.expire();
        throw firstError;
      }
      return next(withBearer(req, token)).pipe(
        catchError((error: unknown) => {
          if (isUnauthorized(error)) void state.expire();
          throw error;
        }),
      );
    }),
  );
}

/**
 * A token `rejected` drew a 401. Resolves to the token to retry with: the current one if someone
 * already renewed it meanwhile, else a fresh one from a (shared) refresh; `null` if the session is
 * over; `undefined` when the auth server could not be asked (the session may still be fine).
 * Never rejects.
 */
async function tokenAfterUnauthorized(client: SigilSession | null, rejected: string): Promise<string | null | undefined> {
  // No client (SSR): no token was sent in the first place, so this is never reached there.
  if (!client) return null;
  try {
    return await tokenAfterRejection(client, rejected);
  } catch (error) {
    // The auth server could not answer (network, 5xx, overloaded, rate limit): that says nothing
    // about the session. Any other failure (a refused refresh token) means it is over.
    return hasCode(error, 'network_error', 'internal_error', 'unavailable', 'rate_limited') ? undefined : null;
  }
}

function withBearer(req: HttpRequest<unknown>, token: string): HttpRequest<unknown> {
  return req.clone({ setHeaders: { Authorization: `Bearer ${token}` } });
}

/**
 * Whether `error` is a 401 about the token, which a renewed token may cure. HttpClient reports
 * every failed answer as an `HttpErrorResponse`; checking the status alone also covers an
 * interceptor further down that throws its own error with the 401's status. A 401 asking for a
 * step-up is not one (its body's or its own `code` says so, or the challenge when the page can
 * read it), whichever side of `stepUpInterceptor` this interceptor is.
 */
function isUnauthorized(error: unknown): boolean {
  const response = error as Partial<HttpErrorResponse> | null;
  return response?.status === 401 && !isStepUp(response.headers?.get('WWW-Authenticate'), response.error ?? response);
}
