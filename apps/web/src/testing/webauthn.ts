/**
 * The browser's WebAuthn for jsdom, which has none: `navigator.credentials` answering with one
 * credential (`CREDENTIAL_ID`) for the pages' specs; the fake auth server checks only its id. The
 * real ceremony runs in Chromium with a virtual authenticator (e2e/passkeys.e2e.ts). A conditional
 * request (the autofill's) waits until `pickFromAutofill()` or an abort, as a user's pick would.
 */
export const CREDENTIAL_ID = 'Y3JlZC0x';

const bytes = (text: string) => new TextEncoder().encode(text).buffer;

export function installWebAuthn() {
  const calls: { kind: 'create' | 'get'; mediation?: string }[] = [];
  let refuse: string | undefined;
  let pick: (() => void) | undefined;
  const credential = (response: Record<string, unknown>) => ({
    id: CREDENTIAL_ID,
    rawId: bytes('cred-1'),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    getClientExtensionResults: () => ({}),
    response,
  });
  const answer = async <T>(kind: 'create' | 'get', mediation: string | undefined, value: T, signal?: AbortSignal): Promise<T> => {
    calls.push({ kind, mediation });
    if (refuse) {
      const name = refuse;
      refuse = undefined;
      throw new DOMException('refused', name);
    }
    if (mediation === 'conditional') {
      await new Promise<void>((resolve, reject) => {
        pick = resolve;
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    return value;
  };
  Object.defineProperty(window, 'PublicKeyCredential', {
    configurable: true,
    value: Object.assign(function PublicKeyCredential() {}, { isConditionalMediationAvailable: async () => true }),
  });
  Object.defineProperty(navigator, 'credentials', {
    configurable: true,
    value: {
      create: (options: { signal?: AbortSignal }) =>
        answer(
          'create',
          undefined,
          credential({ clientDataJSON: bytes('{}'), attestationObject: bytes('att'), getTransports: () => ['internal'] }),
          options.signal,
        ),
      get: (options: { mediation?: string; signal?: AbortSignal }) =>
        answer(
          'get',
          options.mediation,
          credential({ clientDataJSON: bytes('{}'), authenticatorData: bytes('ad'), signature: bytes('sig'), userHandle: null }),
          options.signal,
        ),
    },
  });
  return {
    calls,
    /** The next request fails as a browser's would, with a DOMException named `name` (NotAllowedError: the user cancelled). */
    refuseNext: (name: string) => void (refuse = name),
    /** The user picks the passkey in the autofill: the waiting conditional request answers. */
    pickFromAutofill: () => pick?.(),
    uninstall() {
      delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
      delete (navigator as { credentials?: unknown }).credentials;
    },
  };
}
