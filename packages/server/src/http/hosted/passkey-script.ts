import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The sign-in page's passkey script, run after `@simplewebauthn/browser` (its UMD bundle, which
 * defines `SimpleWebAuthnBrowser`): shows the passkey button where WebAuthn exists, starts a
 * conditional request (passkeys offered in the email field's autofill) where the browser supports
 * one, and runs a modal request on a click. Either way the assertion goes into the hidden form,
 * which it submits. Failures leave the password form as it was, with a sentence in the status line.
 */
const SIGN_IN = String.raw`
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var section = document.getElementById('passkey');
  var form = document.getElementById('passkey-form');
  var button = document.getElementById('passkey-button');
  var status = document.getElementById('passkey-status');
  if (!lib || !section || !form || !button || !status || !lib.browserSupportsWebAuthn()) return;
  section.hidden = false;
  var pending = 0;

  function options() {
    return fetch('/auth/passkeys/login/options', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    }).then(function (res) {
      if (!res.ok) throw new Error('options ' + res.status);
      return res.json();
    });
  }

  function signIn(conditional) {
    var mine = ++pending;
    return options()
      .then(function (optionsJSON) {
        return lib.startAuthentication({ optionsJSON: optionsJSON, useBrowserAutofill: conditional });
      })
      .then(function (response) {
        // A newer ceremony (the button, after autofill began) owns the page now.
        if (mine !== pending) return;
        form.elements.namedItem('response').value = JSON.stringify(response);
        status.textContent = 'Signing in…';
        form.submit();
      });
  }

  button.addEventListener('click', function () {
    status.textContent = '';
    signIn(false).catch(function (error) {
      if (error && error.name === 'AbortError') return;
      status.textContent = 'The passkey sign-in did not complete. Try again, or use your password.';
    });
  });

  if (lib.browserSupportsWebAuthnAutofill) {
    lib.browserSupportsWebAuthnAutofill().then(function (supported) {
      // Autofill waits silently for the user: its failures (cancelled, replaced by a click) say nothing.
      if (supported) signIn(true).catch(function () {});
    });
  }
})();
`;

let cached: string | undefined;

/**
 * The script `GET /login/passkey.js` serves: the browser library's bundle, then the sign-in code.
 * Read once, on first use, from the installed `@simplewebauthn/browser`.
 */
export function passkeyScript(): string {
  if (cached === undefined) {
    // The package exports no path to its bundle: find its folder from the entry Node resolves.
    const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
    const bundle = readFileSync(path.join(path.dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
    cached = `${bundle}\n${SIGN_IN}`;
  }
  return cached;
}
