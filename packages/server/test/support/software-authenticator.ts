/**
 * A WebAuthn authenticator and browser in software, for tests: it answers creation and request
 * options with the JSON `@simplewebauthn/browser` would send (attestation `none`, P-256 keys from
 * node:crypto, the COSE key and attestation object in CBOR), and lets a test break any part of a
 * response (origin, RP ID, flags, counter, challenge) to see the server refuse it.
 *
 * @example
 * const authenticator = createSoftwareAuthenticator({ origin: 'http://localhost:4000' });
 * const registration = authenticator.register(creationOptions);
 * const assertion = authenticator.assert(requestOptions);
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encode } from 'cbor2';

/** The authenticator data flags (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  /** base64url, from the creation options' `user.id`. */
  userHandle: string;
  counter: number;
}

export interface AuthenticatorOptions {
  /** The page's origin the "browser" writes into clientDataJSON. */
  origin: string;
  /** Backup eligible and backed up: a synced (multi-device) passkey. @default false */
  synced?: boolean;
  /** Whether the signature counter increases with each assertion. @default true */
  counts?: boolean;
}

/** Things a test may change in one ceremony. */
export interface CeremonyOverrides {
  origin?: string;
  /** The RP ID whose hash goes into the authenticator data. @default the options' RP ID */
  rpId?: string;
  /** Replaces the computed flags. */
  flags?: number;
  /** The signature counter to report instead of the next one. */
  counter?: number;
  challenge?: string;
  type?: string;
  /** Which credential to use (by ID); by default the newest one for the RP ID (or in `allowCredentials`). */
  credentialId?: string;
  /** Sign with another key than the credential's. */
  signWith?: KeyObject;
  /** Send this `userHandle` instead of the credential's (null leaves it out). */
  userHandle?: string | null;
}

const b64url = (bytes: Uint8Array | Buffer): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** The credential's public key as a COSE_Key (RFC 9053: EC2, ES256, P-256), CBOR-encoded. */
function coseKey(privateKey: KeyObject): Uint8Array {
  const jwk = privateKey.export({ format: 'jwk' });
  return encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      // Plain Uint8Arrays: cbor2 would encode a Buffer through its toJSON(), not as a byte string.
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]),
  );
}

function clientData(type: string, challenge: string, origin: string): string {
  return b64url(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })));
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: Array<{ id: string }>;
  authenticatorSelection?: { userVerification?: string; residentKey?: string };
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: Array<{ id: string }>;
  userVerification?: string;
}

export function createSoftwareAuthenticator(options: AuthenticatorOptions) {
  const credentials: StoredCredential[] = [];
  const backupFlags = options.synced ? FLAGS.BE | FLAGS.BS : 0;

  function pick(rpId: string, allow: Array<{ id: string }> | undefined, wanted?: string): StoredCredential {
    const candidates = credentials.filter(
      (c) => c.rpId === rpId && (!allow?.length || allow.some((a) => a.id === c.id)) && (wanted === undefined || c.id === wanted),
    );
    const credential = candidates.at(-1);
    if (!credential) throw new Error('software authenticator: no credential for these options');
    return credential;
  }

  return {
    credentials,

    /** `navigator.credentials.create()`: a new discoverable credential, as RegistrationResponseJSON. */
    register(creation: CreationOptions, overrides: CeremonyOverrides = {}) {
      const rpId = creation.rp.id!;
      if (creation.excludeCredentials?.some((e) => credentials.some((c) => c.id === e.id))) {
        throw new Error('software authenticator: InvalidStateError (credential excluded)');
      }
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const id = randomBytes(16);
      const counter = overrides.counter ?? 0;
      const flags = overrides.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.AT | backupFlags;
      const authData = Buffer.concat([
        sha256(overrides.rpId ?? rpId),
        Buffer.from([flags]),
        uint32(counter),
        Buffer.alloc(16), // AAGUID: none
        Buffer.from([0, id.length]),
        id,
        Buffer.from(coseKey(privateKey)),
      ]);
      const attestationObject = encode(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', new Uint8Array(authData)],
        ]),
      );
      const stored: StoredCredential = { id: b64url(id), privateKey, rpId, userHandle: creation.user.id, counter };
      credentials.push(stored);
      return {
        id: stored.id,
        rawId: stored.id,
        type: 'public-key' as const,
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
        response: {
          clientDataJSON: clientData(
            overrides.type ?? 'webauthn.create',
            overrides.challenge ?? creation.challenge,
            overrides.origin ?? options.origin,
          ),
          attestationObject: b64url(attestationObject),
          transports: ['internal', 'hybrid'],
        },
      };
    },

    /** `navigator.credentials.get()`: an assertion by a stored credential, as AuthenticationResponseJSON. */
    assert(request: RequestOptions, overrides: CeremonyOverrides = {}) {
      const rpId = request.rpId!;
      const credential = pick(rpId, request.allowCredentials, overrides.credentialId);
      const counter = overrides.counter ?? (options.counts === false ? 0 : credential.counter + 1);
      credential.counter = Math.max(credential.counter, counter);
      const flags = overrides.flags ?? FLAGS.UP | FLAGS.UV | backupFlags;
      const authData = Buffer.concat([sha256(overrides.rpId ?? rpId), Buffer.from([flags]), uint32(counter)]);
      const clientDataJSON = clientData(
        overrides.type ?? 'webauthn.get',
        overrides.challenge ?? request.challenge,
        overrides.origin ?? options.origin,
      );
      const signature = sign(
        'sha256',
        Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]),
        overrides.signWith ?? credential.privateKey,
      );
      const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key' as const,
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
        response: {
          clientDataJSON,
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          ...(userHandle === null ? {} : { userHandle }),
        },
      };
    },

    /** A copy of a stored credential's key: a "cloned" authenticator for counter tests. */
    exportKey(id: string): KeyObject {
      const credential = credentials.find((c) => c.id === id);
      if (!credential) throw new Error('no such credential');
      return createPrivateKey(credential.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    },
  };
}

export type SoftwareAuthenticator = ReturnType<typeof createSoftwareAuthenticator>;
