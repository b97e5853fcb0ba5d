import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const app = new URL('../src/app.ts', import.meta.url).href;
const avatarImage = new URL('../src/modules/avatars/avatar-image.ts', import.meta.url).href;

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
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], {
      cwd: serviceDir,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      afterImport: false,
      refused: 'UNSUPPORTED_MEDIA_TYPE',
      afterRefusal: true,
      stored: { format: 'jpeg', width: 500, height: 167 },
    });
  });
});
