// Raw sharp throughput: the auth-service's profile-picture pipeline (header check, EXIF
// orientation, fit inside 500×500, progressive mozjpeg JPEG, no metadata) on one file, with
// CONCURRENCY images in flight as the service's AVATAR_MAX_CONCURRENCY allows, nothing else.
// Prints one line `RESULT {"ops":…,"seconds":…,"cpuMs":…}` and exits.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { peerEnv } from '../config.js';
import { runRawLoop } from './raw-loop.js';

const input = await readFile(peerEnv('PICTURE_FILE'));
const maxPixels = 40_000_000;
sharp.cache(false); // as the service: every upload is a different image

async function avatar(): Promise<Buffer> {
  const meta = await sharp(input, { limitInputPixels: false }).metadata();
  if (meta.width * meta.height > maxPixels) throw new Error('too many pixels');
  return sharp(input, { limitInputPixels: maxPixels, failOn: 'error' })
    .rotate()
    .resize(500, 500, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 82, progressive: true, mozjpeg: true })
    .toBuffer();
}

await runRawLoop(avatar, {
  concurrency: Number(peerEnv('CONCURRENCY', '2')),
  durationMs: Number(peerEnv('DURATION_MS', '10000')),
  warmupMs: Number(peerEnv('WARMUP_MS', '1000')),
  describe: { pipeline: 'rotate, fit 500x500, mozjpeg q82 progressive' },
});
