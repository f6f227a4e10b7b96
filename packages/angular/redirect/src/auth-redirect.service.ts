import { Injectable, inject } from '@angular/core';
import { SigilClientError, ɵAuthState } from '@sigil/angular';
import type { RedirectFlow } from '@sigil/client/internal';
import type { RedirectCallbackResult, RedirectLoginOptions } from '@sigil/client/redirect';

/**
 * The redirect flow's sign-in for the app's {@link AuthService} session: the sign-in button's
 * `loginWithRedirect()` and the callback page's `handleRedirectCallback()` (which
 * `redirectCallbackGuard` runs for you). Needs `provideSigilAuth` of `@sigil/angular/redirect`.
 * On the server platform (SSR) both reject with `not_logged_in`.
 *
 * @example
 * readonly redirect = inject(AuthRedirectService);
 * signIn() { return this.redirect.loginWithRedirect({ returnTo: '/lessons' }); }
 */
@Injectable({ providedIn: 'root' })
export class AuthRedirectService {
  readonly #state = inject(ɵAuthState);
  readonly #flow = redirectFlowOf(this.#state.client);

  /**
   * Sends the browser to the auth server's sign-in page (PKCE S256, a fresh `state` and `nonce` in
   * this tab's sessionStorage); `returnTo` comes back from the callback. Resolves as the page leaves.
   */
  async loginWithRedirect(options?: RedirectLoginOptions): Promise<void> {
    return this.#call().loginWithRedirect(options);
  }

  /**
   * On the callback page: checks the auth server's answer and exchanges its code; the signals are
   * set and a `login` event goes out on `AuthService.events`. Rejects with the answer's OAuth code
   * (`access_denied`...), `state_mismatch`, `issuer_mismatch`, `invalid_grant`, `invalid_id_token`...
   */
  async handleRedirectCallback(url?: string): Promise<RedirectCallbackResult> {
    const result = await this.#call().handleRedirectCallback(url);
    this.#state.events.next({ type: 'login', user: result.user });
    return result;
  }

  #call(): RedirectFlow {
    if (!this.#flow) throw new SigilClientError('not_logged_in', 'No redirect sign-in on the server platform (SSR)');
    return this.#flow;
  }
}

/** The redirect flow of the app's client; a `TypeError` when the app set up the same-site flow. */
function redirectFlowOf(client: object | null): RedirectFlow | null {
  if (client && !('loginWithRedirect' in client)) {
    throw new TypeError('Sigil: AuthRedirectService needs provideSigilAuth({ flow: "redirect", ... }) of @sigil/angular/redirect');
  }
  return client as RedirectFlow | null;
}
