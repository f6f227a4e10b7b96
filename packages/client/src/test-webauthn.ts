// WebAuthn for the client's tests in Node (not part of the package API): `navigator.credentials`
// and `PublicKeyCredential` as a browser has them, answered by the server tests' software
// authenticator (real P-256 keys and signatures, CBOR, client data for this origin), so
// `@simplewebauthn/browser` and the real auth server do everything else for real.
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '../../server/test/support/software-authenticator.ts';

const toB64 = (buffer: ArrayBuffer | ArrayBufferView): string =>
  Buffer.from(
    buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
  ).toString('base64url');
const toBuffer = (value: string): ArrayBuffer => {
  const bytes = Buffer.from(value, 'base64url');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};

/** What a test sees of the browser: the authenticator, and the requests the page made. */
export interface TestWebAuthn {
  authenticator: SoftwareAuthenticator;
  /** The mediation of each `navigator.credentials.get()` (`conditional` for the autofill). */
  gets: Array<string | undefined>;
  /** The next request fails with this DOMException name (`NotAllowedError` when the user cancels...). */
  failNext(name: string): void;
  /** Holds `get()` requests until they are aborted (a conditional request no one answers). */
  hold(value: boolean): void;
  uninstall(): void;
}

/**
 * Installs WebAuthn on `globalThis` for pages of `origin`; `uninstall()` removes it.
 *
 * @example
 * const webauthn = installWebAuthn('http://127.0.0.1:4000');
 * await passkeys.registerPasskey();
 */
export function installWebAuthn(origin: string, options: { synced?: boolean } = {}): TestWebAuthn {
  const authenticator = createSoftwareAuthenticator({ origin, ...options });
  const gets: Array<string | undefined> = [];
  let failure: string | undefined;
  let holding = false;
  const g = globalThis as Record<string, unknown>;
  const saved = { window: g.window, PublicKeyCredential: g.PublicKeyCredential, document: g.document };
  const nav = navigator as unknown as Record<string, unknown>;
  const savedCredentials = Object.getOwnPropertyDescriptor(nav, 'credentials');

  const refuseIfAsked = () => {
    if (failure === undefined) return;
    const name = failure;
    failure = undefined;
    throw new DOMException('The operation failed', name);
  };

  class PublicKeyCredential {
    static isConditionalMediationAvailable = async () => true;
  }

  // The options as the library hands them to the browser (ArrayBuffers where the JSON has base64url).
  type Options = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const credentials = {
    async create({ publicKey, signal }: { publicKey: Options; signal?: AbortSignal }) {
      signal?.throwIfAborted();
      refuseIfAsked();
      const json = authenticator.register({
        challenge: toB64(publicKey.challenge),
        rp: publicKey.rp,
        user: { ...publicKey.user, id: toB64(publicKey.user.id) },
        excludeCredentials: (publicKey.excludeCredentials ?? []).map((c: { id: ArrayBuffer }) => ({ id: toB64(c.id) })),
      });
      return {
        id: json.id,
        rawId: toBuffer(json.rawId),
        type: 'public-key',
        authenticatorAttachment: 'platform',
        getClientExtensionResults: () => ({}),
        response: {
          clientDataJSON: toBuffer(json.response.clientDataJSON),
          attestationObject: toBuffer(json.response.attestationObject),
          getTransports: () => json.response.transports,
        },
      };
    },

    async get({ publicKey, signal, mediation }: { publicKey: Options; signal?: AbortSignal; mediation?: string }) {
      gets.push(mediation);
      signal?.throwIfAborted();
      if (holding) {
        await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError'))));
      }
      refuseIfAsked();
      const json = authenticator.assert({
        challenge: toB64(publicKey.challenge),
        rpId: publicKey.rpId,
        allowCredentials: (publicKey.allowCredentials ?? []).map((c: { id: ArrayBuffer }) => ({ id: toB64(c.id) })),
      });
      return {
        id: json.id,
        rawId: toBuffer(json.rawId),
        type: 'public-key',
        authenticatorAttachment: 'platform',
        getClientExtensionResults: () => ({}),
        response: {
          clientDataJSON: toBuffer(json.response.clientDataJSON),
          authenticatorData: toBuffer(json.response.authenticatorData),
          signature: toBuffer(json.response.signature),
          userHandle: json.response.userHandle === undefined ? null : toBuffer(json.response.userHandle),
        },
      };
    },
  };

  g.window = globalThis;
  g.PublicKeyCredential = PublicKeyCredential;
  // The autofill needs an input that asks for passkeys (the library checks the page for one).
  g.document = { querySelectorAll: () => [{ autocomplete: 'username webauthn' }] };
  Object.defineProperty(nav, 'credentials', { value: credentials, configurable: true });

  return {
    authenticator,
    gets,
    failNext: (name) => void (failure = name),
    hold: (value) => void (holding = value),
    uninstall() {
      if (savedCredentials) Object.defineProperty(nav, 'credentials', savedCredentials);
      else delete nav.credentials;
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete g[key];
        else g[key] = value;
      }
    },
  };
}
