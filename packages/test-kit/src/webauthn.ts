import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface AssertionInput {
  /** base64url credential id. */
  credentialId: string;
  privateKey: KeyObject;
  /** base64url user handle, if the authenticator returns one (discoverable credentials do). */
  userHandle?: string | undefined;
  signCount: number;
  rpId: string;
  origin: string;
  /** base64url challenge from the relying party's options. */
  challenge: string;
  /** Authenticator data flags; default user present and verified (0x05). */
  flags?: number;
}

/**
 * A WebAuthn assertion (the JSON form `PublicKeyCredential.toJSON()` gives) made outside a
 * browser with a credential's private key, for any relying party and origin: what a phishing
 * site holding a user's authenticator response could present. Flags: user present and verified
 * unless `flags` says otherwise.
 */
export function craftAssertion(input: AssertionInput) {
  const rpIdHash = createHash('sha256').update(input.rpId).digest();
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(input.signCount);
  const authenticatorData = Buffer.concat([rpIdHash, Buffer.from([input.flags ?? 0x05]), counter]);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: input.challenge, origin: input.origin, crossOrigin: false }));
  // ES256 and RS256 keys sign a SHA-256 digest; Ed25519 and ML-DSA keys sign the message itself.
  const digest = input.privateKey.asymmetricKeyType === 'ec' || input.privateKey.asymmetricKeyType === 'rsa' ? 'sha256' : null;
  const signature = sign(digest, Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]), input.privateKey);
  return {
    id: input.credentialId,
    rawId: input.credentialId,
    type: 'public-key' as const,
    clientExtensionResults: {},
    response: {
      clientDataJSON: clientDataJSON.toString('base64url'),
      authenticatorData: authenticatorData.toString('base64url'),
      signature: signature.toString('base64url'),
      ...(input.userHandle === undefined ? {} : { userHandle: input.userHandle }),
    },
  };
}

/**
 * A software ES256 passkey: its id, its public key as COSE (what a relying party stores after
 * registration) and its private key for `craftAssertion`.
 */
export function softwarePasskey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const coord = (v: string | undefined) => Buffer.from(v ?? '', 'base64url');
  // CBOR map {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
  const cosePublicKey = Buffer.concat([
    Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
    coord(jwk.x),
    Buffer.from([0x22, 0x58, 0x20]),
    coord(jwk.y),
  ]);
  return { credentialId: randomBytes(16).toString('base64url'), cosePublicKey, privateKey };
}

export interface AttestationInput {
  /** From `softwarePasskey()`. */
  credentialId: string;
  cosePublicKey: Buffer;
  rpId: string;
  origin: string;
  /** base64url challenge from the relying party's registration options. */
  challenge: string;
  signCount?: number;
}

/** CBOR head of a major type with a length (RFC 8949 §3): what the attestation object needs. */
function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  const head = Buffer.alloc(3);
  head[0] = (major << 5) | 25;
  head.writeUInt16BE(length, 1);
  return head;
}
const cborText = (text: string) => Buffer.concat([cborHead(3, Buffer.byteLength(text)), Buffer.from(text)]);

/**
 * A WebAuthn registration response (`PublicKeyCredential.toJSON()` of `navigator.credentials.create`)
 * made outside a browser for a `softwarePasskey()`: attestation format `none`, flags user present,
 * user verified and attested credential data, AAGUID zero.
 */
export function craftAttestation(input: AttestationInput) {
  const rpIdHash = createHash('sha256').update(input.rpId).digest();
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(input.signCount ?? 0);
  const credentialId = Buffer.from(input.credentialId, 'base64url');
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([rpIdHash, Buffer.from([0x45]), counter, Buffer.alloc(16), idLength, credentialId, input.cosePublicKey]);
  // CBOR map {"fmt": "none", "attStmt": {}, "authData": bytes}.
  const attestationObject = Buffer.concat([
    cborHead(5, 3),
    cborText('fmt'),
    cborText('none'),
    cborText('attStmt'),
    cborHead(5, 0),
    cborText('authData'),
    cborHead(2, authData.length),
    authData,
  ]);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: input.challenge, origin: input.origin, crossOrigin: false }));
  return {
    id: input.credentialId,
    rawId: input.credentialId,
    type: 'public-key' as const,
    clientExtensionResults: {},
    authenticatorAttachment: 'platform' as const,
    response: {
      clientDataJSON: clientDataJSON.toString('base64url'),
      attestationObject: attestationObject.toString('base64url'),
      transports: ['internal'],
    },
  };
}
