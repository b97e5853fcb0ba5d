import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** A real Ed25519 private JWK set, as production configures JWT_PRIVATE_JWKS. */
export function generateSigningJwks(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = `bench-${randomBytes(4).toString('hex')}`;
  return JSON.stringify({ keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] });
}

export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
