import { fileURLToPath } from 'node:url';
import { inFreshProcess } from '@authmeet/test-kit';
import { describe, expect, it } from 'vitest';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const app = new URL('../src/app.ts', import.meta.url).href;
const avatarImage = new URL('../src/modules/avatars/avatar-image.ts', import.meta.url).href;
const avatarStorage = new URL('../src/modules/avatars/avatar-storage.ts', import.meta.url).href;

/**
 * In a fresh process (this one has sharp loaded already, by the other tests and image-kit):
 * whether libvips is mapped after importing the app, after a refused upload, and what the first
 * accepted one gives.
 */
const script = `
const libvipsLoaded = () => process.report.getReport().sharedObjects.some((file) => file.includes('libvips'));
await import(${JSON.stringify(app)});
const { createAvatarImageProcessor } = await import(${JSON.stringify(avatarImage)});
const images = createAvatarImageProcessor({ maxPixels: 1_000_000, maxConcurrency: 1, maxQueue: 1, maxBytes: 1 << 20 });
const afterImport = libvipsLoaded();
const refused = await images.toAvatarJpeg(Buffer.from('not an image at all')).then(() => 'accepted', (error) => error.code);
const afterRefusal = libvipsLoaded();
const { default: sharp } = await import('sharp');
const png = await sharp({ create: { width: 900, height: 300, channels: 4, background: '#36c8' } }).png().toBuffer();
const stored = await sharp(await images.toAvatarJpeg(png)).metadata();
console.log(JSON.stringify({ afterImport, refused, afterRefusal, stored: { format: stored.format, width: stored.width, height: stored.height } }));
`;

describe('sharp is loaded with the first picture, not with the app', () => {
  it('leaves libvips unloaded until an upload, then validates and converts as before', async () => {
    expect(await inFreshProcess(serviceDir, script)).toEqual({
      afterImport: false,
      refused: 'UNSUPPORTED_MEDIA_TYPE',
      afterRefusal: true,
      stored: { format: 'jpeg', width: 500, height: 167 },
    });
  });
});

/** Counts, in a fresh process, how often the AWS SDK's S3 client is resolved, around the app's import and a first storage call. */
const storageScript = `
import { registerHooks } from 'node:module';
let sdkResolved = 0;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === '@aws-sdk/client-s3') sdkResolved += 1;
    return next(specifier, context);
  },
});
await import(${JSON.stringify(app)});
const { createAvatarStorage } = await import(${JSON.stringify(avatarStorage)});
// Nothing listens on port 9 (discard): the first call fails fast, as a storage that is down.
const storage = createAvatarStorage({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'avatars', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, forcePathStyle: true, timeoutMs: 2000 });
const afterCreate = sdkResolved > 0;
const failed = await storage.put('profile-pictures/u/p.jpg', Buffer.from('jpeg')).then(() => 'stored', (error) => error.code);
const afterPut = sdkResolved > 0;
storage.close();
console.log(JSON.stringify({ afterCreate, failed, afterPut }));
`;

describe('the S3 client is loaded with the first storage call, not with the app', () => {
  it('leaves the AWS SDK unloaded until a picture is stored, then answers as before (503 while the storage is down)', async () => {
    expect(await inFreshProcess(serviceDir, storageScript)).toEqual({ afterCreate: false, failed: 'DEPENDENCY_UNAVAILABLE', afterPut: true });
  });
});

const passkeysService = new URL('../src/modules/passkeys/passkeys.service.ts', import.meta.url).href;
const mailer = new URL('../src/modules/mail/mailer.ts', import.meta.url).href;

/** Counts, in a fresh process, how often the WebAuthn library and nodemailer are resolved, around the app's import and their first use. */
const passkeysAndMailScript = `
import { registerHooks } from 'node:module';
const resolved = { webauthn: 0, nodemailer: 0 };
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === '@simplewebauthn/server') resolved.webauthn += 1;
    if (specifier === 'nodemailer') resolved.nodemailer += 1;
    return next(specifier, context);
  },
});
await import(${JSON.stringify(app)});
const { createPasskeysService } = await import(${JSON.stringify(passkeysService)});
const { createMailer } = await import(${JSON.stringify(mailer)});
const passkeys = createPasskeysService({
  users: { findByIdentifier: async () => null },
  repo: {},
  challenges: { saveLogin: async () => 'challenge-id' },
  config: { rpId: 'localhost', rpName: 'authmeet', origins: ['http://localhost'], challengeTtlSec: 60 },
});
// Nothing listens on port 9 (discard): the first mail fails fast, as an SMTP server that is down.
const mail = createMailer({ smtpUrl: 'smtp://127.0.0.1:9', from: 'authmeet <no-reply@example.com>', timeoutMs: 2000 });
const afterCreate = { ...resolved };
const { options } = await passkeys.loginOptions(undefined);
const sent = await mail.send({ to: 'ada@example.com', subject: 's', text: 't', html: '<p>t</p>' }).then(() => 'sent', (error) => error.code);
mail.close();
console.log(JSON.stringify({ afterCreate, challenge: typeof options.challenge, sent, afterUse: resolved }));
`;

describe('the WebAuthn library and nodemailer are loaded on first use, not with the app', () => {
  it('leaves both unloaded until a passkey request and a first mail, which then work as before', async () => {
    expect(await inFreshProcess(serviceDir, passkeysAndMailScript)).toEqual({
      afterCreate: { webauthn: 0, nodemailer: 0 },
      challenge: 'string',
      sent: 'ESOCKET',
      afterUse: { webauthn: 1, nodemailer: 1 },
    });
  });
});

const codes = new URL('../src/modules/mfa/codes.ts', import.meta.url).href;
const googleClient = new URL('../src/modules/oauth/google-client.ts', import.meta.url).href;
const passwordPolicy = new URL('../src/modules/passwords/password-policy.ts', import.meta.url).href;

/**
 * Counts, in a fresh process, how often the MFA, Google sign-in and password-strength libraries
 * are resolved: around the app's import (with a password policy on demand warmed up, as at
 * start-up, and a Google client made), then around their first use.
 */
const mfaOidcAndStrengthScript = `
import { registerHooks } from 'node:module';
const resolved = { otplib: 0, '@otplib/plugin-crypto-node': 0, qrcode: 0, 'openid-client': 0, tinypool: 0 };
registerHooks({
  resolve(specifier, context, next) {
    if (specifier in resolved) resolved[specifier] += 1;
    return next(specifier, context);
  },
});
await import(${JSON.stringify(app)});
const { enrolment, matchTotp, newTotpSecret } = await import(${JSON.stringify(codes)});
const { createGoogleClient } = await import(${JSON.stringify(googleClient)});
const { createPasswordPolicy } = await import(${JSON.stringify(passwordPolicy)});
const policy = createPasswordPolicy({ threads: 1, maxQueue: 4, idleTimeoutMs: 60_000 });
await policy.warm();
// Nothing listens on port 9 (discard): discovery fails fast, as a provider that is down.
const google = createGoogleClient({ issuer: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's', redirectUri: 'http://localhost/cb', httpTimeoutMs: 2000, allowInsecure: true });
const afterCreate = { ...resolved, threads: policy.threads() };
const secret = await newTotpSecret();
const { otpauthUrl, qrSvg } = await enrolment(secret, 'authmeet', 'ada@example.com');
const wrongCode = await matchTotp(secret, '000000', Date.now(), null).then((step) => step ?? 'refused');
const signIn = await google.authorizationUrl({ state: 's', nonce: 'n', codeChallenge: 'c' }).then(() => 'started', (error) => error.code);
const weak = await policy.assertStrong('password', [], 'password').then(() => 'accepted', (error) => error.code);
const threads = policy.threads();
await policy.close();
console.log(JSON.stringify({ afterCreate, secret: /^[A-Z2-7]{32}$/.test(secret), otpauth: otpauthUrl.startsWith('otpauth://totp/'), svg: qrSvg.includes('<svg'), wrongCode, signIn, weak, threads, afterUse: resolved }));
`;

describe('MFA, Google sign-in and password-strength libraries are loaded on first use, not with the app', () => {
  it('leaves otplib, qrcode, openid-client and tinypool unloaded until an enrolment, a sign-in and a strength check, which then work as before', async () => {
    expect(await inFreshProcess(serviceDir, mfaOidcAndStrengthScript)).toEqual({
      afterCreate: { otplib: 0, '@otplib/plugin-crypto-node': 0, qrcode: 0, 'openid-client': 0, tinypool: 0, threads: 0 },
      secret: true,
      otpauth: true,
      svg: true,
      wrongCode: expect.anything(),
      signIn: 'DEPENDENCY_UNAVAILABLE',
      weak: 'VALIDATION_FAILED',
      threads: 1,
      afterUse: { otplib: 1, '@otplib/plugin-crypto-node': 1, qrcode: 1, 'openid-client': 1, tinypool: 1 },
    });
  });
});
