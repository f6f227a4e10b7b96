import type { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { catchError } from 'rxjs';
import { stepUpRequired } from '@sigil/client/internal';

/**
 * Turns an API's step-up challenge (401 `insufficient_user_authentication`, RFC 9470) into a
 * `StepUpRequiredError` (with the challenge's `maxAge` and `acrValues`, and the
 * `HttpErrorResponse` as its `cause`), so the app catches one type wherever it calls, runs the
 * step-up (`AccountService.stepUp` of `@sigil/angular/account`) and retries. Every other answer
 * passes through as it is. An interceptor of its own, so apps without step-up routes do not ship
 * it; `authInterceptor` already leaves these 401s alone (no refresh, no logout).
 *
 * @example
 * provideHttpClient(withInterceptors([stepUpInterceptor, authInterceptor]))
 */
export const stepUpInterceptor: HttpInterceptorFn = (req, next) =>
  next(req).pipe(
    catchError((error: unknown) => {
      const response = error as Partial<HttpErrorResponse> | null;
      throw (response?.status === 401 && stepUpRequired(response.headers?.get('WWW-Authenticate'), response.error, error)) || error;
    }),
  );
