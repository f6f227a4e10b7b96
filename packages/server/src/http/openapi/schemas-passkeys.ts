import { ref, type Json } from './shared.ts';

const base64url = (description: string): Json => ({ type: 'string', pattern: '^[A-Za-z0-9_-]+$', description });

const credentialDescriptor: Json = {
  type: 'object',
  required: ['id', 'type'],
  properties: {
    id: base64url('A credential ID.'),
    type: { const: 'public-key' },
    transports: { type: 'array', items: { type: 'string' } },
  },
};

/**
 * The schemas of passkeys (docs/server.md, "Passkeys"). The WebAuthn JSON types (options,
 * responses) are open: they are passed between the browser and `@simplewebauthn/server` as
 * WebAuthn Level 3 defines them, and members a later WebAuthn adds pass through. Sigil's own
 * bodies are closed.
 */
export function passkeySchemas(): Json {
  return {
    PublicKeyCredentialCreationOptionsJSON: {
      type: 'object',
      description:
        "WebAuthn's creation options, for `@simplewebauthn/browser`'s `startRegistration({ optionsJSON })` or `PublicKeyCredential.parseCreationOptionsFromJSON()`: a discoverable credential (`residentKey: required`) with user verification, never one of the caller's passkeys again (`excludeCredentials`).",
      required: ['challenge', 'rp', 'user', 'pubKeyCredParams', 'timeout', 'attestation', 'excludeCredentials', 'authenticatorSelection'],
      properties: {
        challenge: base64url('32 random bytes; usable once, for `timeout` ms.'),
        rp: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
        user: {
          type: 'object',
          required: ['id', 'name', 'displayName'],
          properties: {
            id: base64url("The user handle: the account id's 16 bytes."),
            name: { type: 'string' },
            displayName: { type: 'string' },
          },
        },
        pubKeyCredParams: {
          type: 'array',
          items: {
            type: 'object',
            required: ['alg', 'type'],
            properties: { alg: { enum: [-8, -7, -257] }, type: { const: 'public-key' } },
          },
        },
        timeout: { type: 'integer', minimum: 1 },
        attestation: { const: 'none' },
        excludeCredentials: { type: 'array', items: credentialDescriptor },
        authenticatorSelection: {
          type: 'object',
          required: ['residentKey', 'userVerification'],
          properties: {
            residentKey: { const: 'required' },
            requireResidentKey: { const: true },
            userVerification: { const: 'required' },
          },
        },
        extensions: { type: 'object' },
        hints: { type: 'array', items: { type: 'string' } },
      },
    },
    PublicKeyCredentialRequestOptionsJSON: {
      type: 'object',
      description:
        "WebAuthn's request options, for `@simplewebauthn/browser`'s `startAuthentication({ optionsJSON })`. `allowCredentials` is empty for a passwordless sign-in (any discoverable passkey; conditional UI), and lists the account's passkeys for the second step of a password sign-in.",
      required: ['challenge', 'rpId', 'allowCredentials', 'userVerification', 'timeout'],
      properties: {
        challenge: base64url('32 random bytes; usable once, for `timeout` ms.'),
        rpId: { type: 'string' },
        allowCredentials: { type: 'array', items: credentialDescriptor },
        userVerification: { const: 'required' },
        timeout: { type: 'integer', minimum: 1 },
        extensions: { type: 'object' },
        hints: { type: 'array', items: { type: 'string' } },
      },
    },
    RegistrationResponseJSON: {
      type: 'object',
      description: "`startRegistration()`'s result (WebAuthn's `PublicKeyCredential.toJSON()` of a new credential).",
      required: ['id', 'rawId', 'type', 'response'],
      properties: {
        id: base64url('The credential ID.'),
        rawId: base64url('The same, as `rawId`.'),
        type: { const: 'public-key' },
        authenticatorAttachment: { enum: ['platform', 'cross-platform'] },
        clientExtensionResults: { type: 'object' },
        response: {
          type: 'object',
          required: ['clientDataJSON', 'attestationObject'],
          properties: {
            clientDataJSON: base64url('Names the challenge of the options this answers: the server finds them by it.'),
            attestationObject: base64url('CBOR; attestation `none` is enough.'),
            authenticatorData: base64url('The authenticator data.'),
            transports: { type: 'array', items: { type: 'string' } },
            publicKeyAlgorithm: { type: 'integer' },
            publicKey: base64url('The public key, SPKI.'),
          },
        },
      },
    },
    AuthenticationResponseJSON: {
      type: 'object',
      description: "`startAuthentication()`'s result (WebAuthn's `PublicKeyCredential.toJSON()` of an assertion).",
      required: ['id', 'rawId', 'type', 'response'],
      properties: {
        id: base64url('The credential ID.'),
        rawId: base64url('The same, as `rawId`.'),
        type: { const: 'public-key' },
        authenticatorAttachment: { enum: ['platform', 'cross-platform'] },
        clientExtensionResults: { type: 'object' },
        response: {
          type: 'object',
          required: ['clientDataJSON', 'authenticatorData', 'signature'],
          properties: {
            clientDataJSON: base64url('Names the challenge of the options this answers: the server finds them by it.'),
            authenticatorData: base64url('RP ID hash, flags (user presence and verification required), signature counter.'),
            signature: base64url('Over the authenticator data and the client data hash.'),
            userHandle: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_-]+$' },
          },
        },
      },
    },
    Passkey: {
      type: 'object',
      description: "One of the caller's passkeys: never its key or credential ID.",
      required: ['id', 'name', 'created_at', 'last_used_at'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string', minLength: 1, maxLength: 64 },
        created_at: { type: 'string', format: 'date-time' },
        last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'Its last sign-in, or null.' },
      },
    },
    PasskeyResponse: {
      type: 'object',
      required: ['passkey'],
      additionalProperties: false,
      properties: { passkey: ref('Passkey') },
    },
    PasskeyList: {
      type: 'object',
      required: ['passkeys'],
      additionalProperties: false,
      properties: { passkeys: { type: 'array', items: ref('Passkey'), description: 'Oldest first.' } },
    },
    PasskeyRegistrationRequest: {
      type: 'object',
      required: ['response'],
      properties: {
        response: ref('RegistrationResponseJSON'),
        name: { type: 'string', minLength: 1, maxLength: 64, description: 'Trimmed, one line. Default: `Passkey N`.' },
      },
    },
    PasskeyRenameRequest: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 64, description: 'Trimmed, one line.' } },
    },
    PasskeyLoginOptionsRequest: {
      type: 'object',
      description:
        "Empty for a passwordless sign-in. `email` is accepted and not looked up (the options never list an account's credentials by address); `mfa_token` asks for the second step of that password sign-in.",
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        mfa_token: { type: 'string', maxLength: 512 },
      },
    },
    PasskeyLoginRequest: {
      type: 'object',
      required: ['response'],
      properties: {
        response: ref('AuthenticationResponseJSON'),
        mfa_token: { type: 'string', maxLength: 512, description: 'The second step of a password sign-in: its `mfa_token`.' },
      },
    },
    HostedPasskeyForm: {
      type: 'object',
      required: ['csrf_token', 'return_to', 'response'],
      properties: {
        csrf_token: { type: 'string', description: 'The value of the `sigil_csrf` cookie (filled in by the page).' },
        return_to: { type: 'string', format: 'uri' },
        response: { type: 'string', description: "The AuthenticationResponseJSON, as JSON text (filled in by the page's script)." },
      },
    },
  };
}
