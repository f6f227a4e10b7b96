import { type HttpErrorResponse, type HttpEvent, type HttpHandlerFn, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
// DOCUMENT from core (as of Angular 20), not common: one import statement less in the bundle.
import { DOCUMENT, inject } from '@angular/core';
import { catchError, from, switchMap, type Observable } from 'rxjs';
import { AuthService } from './auth.service';
import { SIGIL_AUTH_CONFIG } from './config';
import { isApiUrl } from './urls';

/**
 * Adds `Authorization: Bearer <access token>` to requests for the configured `apiOrigins`, and
 * recovers from an expired token: on a 401 it renews the token once (one refresh shared by every
 * request that fails at the same time) and retries the request once; if that fails too the user is
 * logged out and sent to the login route with `returnUrl`. Requests made while a refresh runs wait
 * for it. Other origins and the auth server's token endpoints pass through untouched.
 *
 * @example
 * provideHttpClient(withInterceptors([authInterceptor]))
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthService);
  const config = inject(SIGIL_AUTH_CONFIG);
  const base = inject(DOCUMENT).baseURI;
  // A request that already carries credentials was authorised by the caller on purpose.
  if (req.headers.has('Authorization') || !isApiUrl(req.url, base, config)) return next(req);
  // Errors are rethrown with `throw` inside the operators' callbacks, which rxjs turns into an
  // error notification: cheaper than `throwError` and the same to subscribers.
  return from(auth.getAccessToken()).pipe(
    switchMap((token) =>
      token === null
        ? next(req)
        : next(withBearer(req, token)).pipe(
            catchError((error: unknown) => {
              if (!isUnauthorized(error)) throw error;
              return retryOnce(req, next, auth, token, error);
            }),
          ),
    ),
  );
};

/** One refresh, one retry. A second 401, or no new token, ends the session: no loop is possible. */
function retryOnce(
  req: HttpRequest<unknown>,
  next: HttpHandlerFn,
  auth: AuthService,
  rejected: string,
  firstError: unknown,
): Observable<HttpEvent<unknown>> {
  // `undefined`: the auth server could not be asked (offline, 5xx): keep the session, report the 401.
  return from(auth.tokenAfterUnauthorized(rejected)).pipe(
    switchMap((token) => {
      if (token == null) {
        if (token === null) void auth.expireSession();
        throw firstError;
      }
      return next(withBearer(req, token)).pipe(
        catchError((error: unknown) => {
          if (isUnauthorized(error)) void auth.expireSession();
          throw error;
        }),
      );
    }),
  );
}

function withBearer(req: HttpRequest<unknown>, token: string): HttpRequest<unknown> {
  return req.clone({ setHeaders: { Authorization: `Bearer ${token}` } });
}

/**
 * HttpClient reports every failed answer as an `HttpErrorResponse`; checking the status alone also
 * covers an interceptor further down that throws its own error with the 401's status.
 */
function isUnauthorized(error: unknown): boolean {
  return (error as Partial<HttpErrorResponse> | null)?.status === 401;
}
