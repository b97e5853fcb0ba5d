import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const app = new URL('../src/app.ts', import.meta.url).href;
const avatarImage = new URL('../src/modules/avatars/avatar-image.ts', import.meta.url).href;
const avatarStorage = new URL('../src/modules/avatars/avatar-storage.ts', import.meta.url).href;

/** Runs an ES module in a fresh Node process with the sources (tsx); returns its last line of output, parsed. */
async function inFreshProcess(source: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', source], {
    cwd: serviceDir,
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}

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
    expect(await inFreshProcess(script)).toEqual({
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
    expect(await inFreshProcess(storageScript)).toEqual({ afterCreate: false, failed: 'DEPENDENCY_UNAVAILABLE', afterPut: true });
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
    expect(await inFreshProcess(passkeysAndMailScript)).toEqual({
      afterCreate: { webauthn: 0, nodemailer: 0 },
      challenge: 'string',
      sent: 'ESOCKET',
      afterUse: { webauthn: 1, nodemailer: 1 },
    });
  });
});
