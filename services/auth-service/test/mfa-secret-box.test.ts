import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DEV_MFA_KEY, createSecretBox } from '../src/modules/mfa/secret-box.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('TOTP secrets at rest (AES-256-GCM)', () => {
  it('seals under the active key; after a rotation the old key still opens, and the value reads as stale', () => {
    const [old, next] = [key('k1'), key('k2')];
    const userId = randomUUID();
    const sealed = createSecretBox([old]).seal('JBSWY3DPEHPK3PXP', userId);
    expect(sealed).toMatch(/^v1\.k1\./);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    const rotated = createSecretBox([next, old]);
    expect(rotated.open(sealed, userId)).toBe('JBSWY3DPEHPK3PXP');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal('x', userId))).toBe(false);
    // Once the old key is dropped its ciphertexts no longer open.
    expect(() => createSecretBox([next]).open(sealed, userId)).toThrow(/unknown/);
  });

  it('refuses a tampered value and one copied onto another user', () => {
    const box = createSecretBox([key('k1')]);
    const userId = randomUUID();
    const sealed = box.seal('JBSWY3DPEHPK3PXP', userId);
    expect(() => box.open(sealed, randomUUID())).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('KBSWY3DPEHPK3PXP').toString('base64url');
    expect(() => box.open(parts.join('.'), userId)).toThrow();
  });

  it('seals with a fresh IV each time; refuses another format version, missing parts, and a box without keys', () => {
    const k = key('k1');
    const box = createSecretBox([k]);
    const userId = randomUUID();
    const [a, b] = [box.seal('JBSWY3DPEHPK3PXP', userId), box.seal('JBSWY3DPEHPK3PXP', userId)];
    expect(a.split('.')).toHaveLength(5);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
    expect(Buffer.from(a.split('.')[2] ?? '', 'base64url')).toHaveLength(12);
    expect(box.open(b, userId)).toBe('JBSWY3DPEHPK3PXP');
    // The same parts under another version are not opened.
    expect(() => box.open(a.replace(/^v1\./, 'v2.'), userId)).toThrow(/cannot be opened/);
    expect(() => box.open(a.split('.').slice(0, 4).join('.'), userId)).toThrow(/cannot be opened/);
    expect(() => box.open('not sealed', userId)).toThrow('key "" unknown or format wrong');
    // The error names the key an operator would have to put back.
    expect(() => createSecretBox([key('k2')]).open(a, userId)).toThrow('key "k1" unknown');
    expect(() => createSecretBox([])).toThrow(/at least one/);
  });

  it('the development key is a fixed AES-256 key named "dev"', () => {
    expect(DEV_MFA_KEY.id).toBe('dev');
    expect(DEV_MFA_KEY.key).toHaveLength(32);
    const userId = randomUUID();
    const sealed = createSecretBox([DEV_MFA_KEY]).seal('JBSWY3DPEHPK3PXP', userId);
    expect(sealed).toMatch(/^v1\.dev\./);
    expect(createSecretBox([DEV_MFA_KEY]).open(sealed, userId)).toBe('JBSWY3DPEHPK3PXP');
  });
});

describe('MFA configuration', () => {
  const prod = {
    NODE_ENV: 'production',
    JWT_PRIVATE_JWKS: '{"keys":[]}',
    MEETINGS_SERVICE_KEY: 'k'.repeat(32),
    SERVICE_KEYS: 'k'.repeat(32),
    APP_BASE_URL: 'https://app.example.com',
    SMTP_URL: 'smtp://mail.example.com',
    AVATAR_PUBLIC_BASE_URL: 'https://pictures.example.com',
  };

  it('production with MFA on refuses to start without MFA_ENCRYPTION_KEY', () => {
    expect(() => loadConfig(prod)).toThrow(/MFA_ENCRYPTION_KEY/);
    expect(() => loadConfig({ ...prod, MFA_ENABLED: 'false' })).not.toThrow(/MFA_ENCRYPTION_KEY/);
  });

  it('takes several keys, the first active, and refuses malformed ones', () => {
    const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const config = loadConfig({ ...prod, MFA_ENCRYPTION_KEY: `new:${a}, old:${b}` });
    expect(config.mfa.encryptionKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(() => loadConfig({ ...prod, MFA_ENCRYPTION_KEY: `short:${randomBytes(16).toString('base64')}` })).toThrow(/32 bytes/);
    expect(() => loadConfig({ ...prod, MFA_ENCRYPTION_KEY: `a:${a},a:${b}` })).toThrow(/twice/);
    expect(() => loadConfig({ ...prod, MFA_ENCRYPTION_KEY: `k:${a}`, WEBAUTHN_ORIGINS: 'https://app.example.com/path' })).toThrow(/WEBAUTHN_ORIGINS/);
  });
});
