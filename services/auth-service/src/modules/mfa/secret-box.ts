import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { MfaKey } from './mfa-config.js';

/**
 * AES-256-GCM for TOTP secrets at rest. A sealed value is `v1.<keyId>.<iv>.<ciphertext>.<tag>`
 * (base64url parts): the key id lets several keys decrypt while one encrypts, so the key
 * rotates without a flag day. The user id is bound in as associated data, so a ciphertext
 * copied onto another user's row does not decrypt.
 */
export interface SecretBox {
  /** The id of the key new secrets are sealed with. */
  activeKeyId: string;
  seal(plaintext: string, userId: string): string;
  /** Throws when the value is malformed, its key is unknown, or it was tampered with. */
  open(sealed: string, userId: string): string;
  /** True when `sealed` was made with an older key (re-seal it). */
  isStale(sealed: string): boolean;
}

const IV_BYTES = 12;

/** Development only: a fixed, publicly known key, so secrets survive restarts of a laptop setup. */
export const DEV_MFA_KEY: MfaKey = {
  id: 'dev',
  // Stryker disable next-line StringLiteral: the seed is arbitrary; any fixed one makes a fixed key
  key: createHash('sha256').update('authmeet development MFA key (not secret)').digest(),
};

export function createSecretBox(keys: MfaKey[]): SecretBox {
  const [active] = keys;
  if (!active) throw new Error('MFA needs at least one encryption key');
  const byId = new Map(keys.map((k) => [k.id, k.key]));

  return {
    activeKeyId: active.id,

    seal(plaintext, userId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', active.key, iv);
      cipher.setAAD(Buffer.from(userId));
      // Stryker disable next-line StringLiteral: an empty encoding means UTF-8 to Node as well
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', active.id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },

    open(sealed, userId) {
      const [version, keyId, iv, ciphertext, tag] = sealed.split('.');
      // Stryker disable next-line ConditionalExpression: no key is named undefined, so the lookup answers undefined too; this is for the types
      const key = keyId === undefined ? undefined : byId.get(keyId);
      if (
        version !== 'v1' ||
        !key ||
        tag === undefined ||
        // Stryker disable next-line ConditionalExpression: the tag is missing whenever these are; they are for the types
        iv === undefined || ciphertext === undefined
      ) {
        throw new Error(`sealed secret cannot be opened (key "${keyId ?? ''}" unknown or format wrong)`);
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(userId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },

    isStale: (sealed) => sealed.split('.')[1] !== active.id,
  };
}
