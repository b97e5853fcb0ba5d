import { createHash, randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import {
  RECOVERY_CODE_COUNT,
  enrolment,
  hashRecoveryCode,
  isTotpShape,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
} from '../src/modules/mfa/codes.js';

// TOTP verification and recovery codes on their own. Through the routes (the same checks with
// the replay store in Postgres and the throttle in Redis): mfa.test.ts, mfa-limits.test.ts.
const STEP = 30;
// Mid-step, so ±1 step of clock skew never straddles a boundary by accident.
const NOW_MS = (Math.floor(Date.now() / 1000 / STEP) * STEP + 15) * 1000;
const stepOf = (ms: number) => Math.floor(ms / 1000 / STEP);
const codeAt = (secret: string, offsetSteps: number) => generate({ secret, epoch: NOW_MS / 1000 + offsetSteps * STEP });

const secret = await newTotpSecret();

describe('TOTP', () => {
  it('secrets are 160 random bits in base32', async () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await newTotpSecret()).not.toBe(secret);
  });

  it('enrolment gives the otpauth URL of a 30 s, 6-digit code and its QR code as SVG', async () => {
    const e = await enrolment(secret, 'Authmeet', 'ada@example.com');
    expect(e.secret).toBe(secret);
    const url = new URL(e.otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('Authmeet');
    expect(decodeURIComponent(url.pathname)).toContain('ada@example.com');
    expect(url.searchParams.get('period') ?? '30').toBe('30');
    expect(e.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('accepts the code of now, one step before and one after, and answers its step', async () => {
    const now = stepOf(NOW_MS);
    expect(await matchTotp(secret, await codeAt(secret, 0), NOW_MS, null)).toBe(now);
    expect(await matchTotp(secret, await codeAt(secret, -1), NOW_MS, null)).toBe(now - 1);
    expect(await matchTotp(secret, await codeAt(secret, 1), NOW_MS, null)).toBe(now + 1);
  });

  it('refuses codes two steps off, of another secret, and wrong codes', async () => {
    expect(await matchTotp(secret, await codeAt(secret, -2), NOW_MS, null)).toBeUndefined();
    expect(await matchTotp(secret, await codeAt(secret, 2), NOW_MS, null)).toBeUndefined();
    expect(await matchTotp(secret, await codeAt(await newTotpSecret(), 0), NOW_MS, null)).toBeUndefined();
    const right = await codeAt(secret, 0);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(await matchTotp(secret, wrong, NOW_MS, null)).toBeUndefined();
  });

  it('refuses the step already used and every earlier one (replay), accepts a later one', async () => {
    const now = stepOf(NOW_MS);
    expect(await matchTotp(secret, await codeAt(secret, 0), NOW_MS, now)).toBeUndefined();
    expect(await matchTotp(secret, await codeAt(secret, -1), NOW_MS, now)).toBeUndefined();
    expect(await matchTotp(secret, await codeAt(secret, 0), NOW_MS, now - 1)).toBe(now);
    expect(await matchTotp(secret, await codeAt(secret, 1), NOW_MS, now)).toBe(now + 1);
  });

  it('a TOTP code is exactly six digits', () => {
    expect(isTotpShape('012345')).toBe(true);
    for (const code of ['12345', '1234567', 'a12345', '12345a', ' 123456', '123456 ', '12 345', 'abcdef', '']) {
      expect(isTotpShape(code), code).toBe(false);
    }
  });
});

describe('recovery codes', () => {
  it('are ten distinct xxxxx-xxxxx codes from an alphabet without look-alikes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(RECOVERY_CODE_COUNT).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    expect(new Set(codes).size).toBe(10);
    expect(newRecoveryCodes()).not.toEqual(codes);
  });

  it('are typed back in any case, with or without spaces and dashes', () => {
    expect(normaliseRecoveryCode(' AbCdE-fGhJk ')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode('abcde fghjk')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode('ab-cd\tef')).toBe('abcdef');
  });

  it('are stored as SHA-256 of user id and normalised code: the same code of another user hashes otherwise', () => {
    const userId = randomUUID();
    const expected = createHash('sha256').update(`${userId}:abcdefghjk`).digest('base64url');
    expect(hashRecoveryCode(userId, 'abcde-fghjk')).toBe(expected);
    expect(hashRecoveryCode(userId, 'ABCDE FGHJK')).toBe(expected);
    expect(hashRecoveryCode(randomUUID(), 'abcde-fghjk')).not.toBe(expected);
  });
});
