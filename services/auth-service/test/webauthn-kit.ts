import { createHash, sign } from 'node:crypto';
import type { softwarePasskey } from '@authmeet/test-kit';

/** Authenticator data flags (WebAuthn §6.1): user present, user verified, attested credential data. */
export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const cborText = (s: string) => {
  const b = Buffer.from(s);
  if (b.length >= 24) throw new Error('short strings only');
  return Buffer.concat([Buffer.from([0x60 + b.length]), b]);
};
const cborBytes = (b: Buffer) => {
  const head = b.length < 24 ? [0x40 + b.length] : b.length < 256 ? [0x58, b.length] : [0x59, b.length >> 8, b.length & 0xff];
  return Buffer.concat([Buffer.from(head), b]);
};

export interface AttestationInput {
  key: ReturnType<typeof softwarePasskey>;
  rpId: string;
  origin: string;
  /** base64url challenge from the registration options. */
  challenge: string;
  flags?: number;
  signCount?: number;
  /** A "packed" self-attestation whose signature is over other data (it does not verify), instead of "none". */
  badPackedAttestation?: boolean;
}

/**
 * A registration response with attestation "none" (what most passkey providers send), the JSON
 * form `PublicKeyCredential.toJSON()` gives, made outside a browser for any relying party and
 * origin. Flags default to user present and verified.
 */
export function craftRegistration(input: AttestationInput) {
  const credentialId = Buffer.from(input.key.credentialId, 'base64url');
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(input.signCount ?? 0);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    createHash('sha256').update(input.rpId).digest(),
    Buffer.from([(input.flags ?? FLAG_UP | FLAG_UV) | FLAG_AT]),
    counter,
    Buffer.alloc(16), // AAGUID: none
    length,
    credentialId,
    input.key.cosePublicKey,
  ]);
  // CBOR map {"fmt": "none", "attStmt": {}, "authData": <bytes>}, or "packed" with {"alg": -7, "sig": <bytes>}.
  const attStmt = input.badPackedAttestation
    ? Buffer.concat([Buffer.from([0xa2]), cborText('alg'), Buffer.from([0x26]), cborText('sig'), cborBytes(sign('sha256', Buffer.from('other data'), input.key.privateKey))])
    : Buffer.from([0xa0]);
  const attestationObject = Buffer.concat([
    Buffer.from([0xa3]),
    cborText('fmt'),
    cborText(input.badPackedAttestation ? 'packed' : 'none'),
    cborText('attStmt'),
    attStmt,
    cborText('authData'),
    cborBytes(authData),
  ]);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: input.challenge, origin: input.origin, crossOrigin: false }));
  return {
    id: input.key.credentialId,
    rawId: input.key.credentialId,
    type: 'public-key' as const,
    clientExtensionResults: {},
    response: {
      clientDataJSON: clientDataJSON.toString('base64url'),
      attestationObject: attestationObject.toString('base64url'),
      transports: ['internal'],
    },
  };
}

