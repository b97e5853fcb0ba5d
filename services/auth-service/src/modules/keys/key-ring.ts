import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface KeyRing {
  active: SigningKey;
  /** Every key whose tokens may still be alive: all are published on the JWKS. */
  all: SigningKey[];
  publicJwks: { keys: JWK[] };
}

export interface KeyRingConfig {
  privateJwks?: string | undefined;
  privateJwksFile?: string | undefined;
  activeKid?: string | undefined;
  devKeysFile: string;
  env: 'development' | 'test' | 'production';
}

function toSigningKey(jwk: JWK): SigningKey {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') {
    throw new Error('signing keys must be Ed25519 private JWKs (kty OKP, crv Ed25519, with d)');
  }
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) throw new Error('every signing key needs a kid');
  const privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const pub = createPublicKey(privateKey).export({ format: 'jwk' });
  // Only public members are ever published.
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: pub.x, kid: jwk.kid, alg: 'EdDSA', use: 'sig' };
  return { kid: jwk.kid, privateKey, publicJwk };
}

export async function generateSigningJwk(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
}

/**
 * Keys come only from configuration. In development, with none configured, one is generated
 * once into a git-ignored file so restarts keep tokens valid; production refuses to start
 * (config.ts) rather than sign with a throwaway key.
 */
export async function loadKeyRing(config: KeyRingConfig, warn: (msg: string) => void): Promise<KeyRing> {
  let text = config.privateJwks ?? (config.privateJwksFile ? readFileSync(config.privateJwksFile, 'utf8') : undefined);
  if (text === undefined) {
    if (config.env === 'production') throw new Error('no signing keys configured');
    if (!existsSync(config.devKeysFile)) {
      const jwk = await generateSigningJwk(`dev-${new Date().toISOString().slice(0, 10)}`);
      mkdirSync(dirname(config.devKeysFile), { recursive: true });
      writeFileSync(config.devKeysFile, JSON.stringify({ keys: [jwk] }, null, 2), { mode: 0o600 });
    }
    warn(`no JWT signing key configured: using the development key in ${config.devKeysFile}`);
    text = readFileSync(config.devKeysFile, 'utf8');
  }
  const parsed = JSON.parse(text) as { keys?: JWK[] };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('the signing JWK set has no keys');
  const all = parsed.keys.map(toSigningKey);
  const active = config.activeKid ? all.find((k) => k.kid === config.activeKid) : all[0];
  if (!active) throw new Error(`JWT_ACTIVE_KID ${config.activeKid ?? ''} is not in the key set`);
  return { active, all, publicJwks: { keys: all.map((k) => k.publicJwk) } };
}
