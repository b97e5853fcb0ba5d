import { createHash, randomInt } from 'node:crypto';
import type { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import type * as Otplib from 'otplib';
import type QRCodeModule from 'qrcode';
import { onFirstUse } from '../../on-first-use.js';

/**
 * otplib and qrcode load with the first MFA request, not with the app: most replicas of a
 * service where few users enrol would hold ~2 MB of heap for them (bench README, round ten).
 *
 * HMACs and random bytes come from Node's OpenSSL rather than otplib's default pure-JavaScript
 * (noble) plugin: with a ±1 step window a check is three HMAC-SHA1s, and in JavaScript they were
 * an eighth of the main thread's time under MFA logins (bench scenario 8).
 */
const totp = onFirstUse<typeof Otplib & { crypto: NodeCryptoPlugin }>(() =>
  Promise.all([import('otplib'), import('@otplib/plugin-crypto-node')]).then(([otplib, { NodeCryptoPlugin }]) => ({
    ...otplib,
    crypto: new NodeCryptoPlugin(),
  })),
);
const qrcode = onFirstUse<typeof QRCodeModule>(() => import('qrcode').then((m) => m.default));

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30 s steps. */
const PERIOD_SEC = 30;
export const RECOVERY_CODE_COUNT = 10;

/** A 160-bit secret, base32 (RFC 4226's recommended length). */
// Stryker disable next-line ObjectLiteral: 20 bytes is otplib's default too; spelled out so a change of default cannot shorten it
export async function newTotpSecret(): Promise<string> {
  const { generateSecret, crypto } = await totp();
  return generateSecret({ length: 20, crypto });
}

export async function enrolment(secret: string, issuer: string, label: string) {
  const [{ generateURI }, QRCode] = await Promise.all([totp(), qrcode()]);
  const otpauthUrl = generateURI({ issuer, label, secret, period: PERIOD_SEC });
  // Stryker disable next-line StringLiteral: 'M' is the qrcode default error correction ('svg' is pinned by a test)
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUrl, qrSvg };
}

/**
 * The time step `code` belongs to, if it is right for now ±1 step (clock skew) and later than
 * `afterStep` (the last step accepted: an older or equal one would be a replay).
 */
export async function matchTotp(secret: string, code: string, nowMs: number, afterStep: number | null): Promise<number | undefined> {
  const { verify, crypto } = await totp();
  const result = await verify({
    crypto,
    secret,
    token: code,
    period: PERIOD_SEC,
    epoch: Math.floor(nowMs / 1000),
    // A window of one period either side covers exactly the previous, current and next step.
    epochTolerance: PERIOD_SEC,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // Stryker disable next-line ConditionalExpression,LogicalOperator: otplib answers a timeStep only with valid: true; both checks are for the types
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

// No 0/o, 1/l/i: codes are read off paper and typed by hand.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxxx-xxxxx` from a CSPRNG: 10 symbols of 31, about 49.5 bits. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

/**
 * A fast hash is enough: codes are random (not chosen by people), each works once, and guesses
 * go through the account's brute-force throttle. The user id salts it, so one table of hashes
 * does not serve every account at once.
 */
export const hashRecoveryCode = (userId: string, code: string) =>
  createHash('sha256').update(`${userId}:${normaliseRecoveryCode(code)}`).digest('base64url');

export const isTotpShape = (code: string) => /^\d{6}$/.test(code);
