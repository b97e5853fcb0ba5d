import { AppError } from '@authmeet/http-kit';
import pLimit from 'p-limit';
import type sharpFunction from 'sharp';
import type { Metadata } from 'sharp';
import { appError } from '../../errors.js';
import { onFirstUse } from '../../on-first-use.js';

export interface AvatarImageConfig {
  /** Width × height above which an image is refused from its header alone. */
  maxPixels: number;
  /** Images decoded at once; the rest queue. */
  maxConcurrency: number;
  /** Uploads allowed to wait for a slot; beyond that 503 at once. */
  maxQueue: number;
  /** Largest body accepted: the size of each reusable body buffer. */
  maxBytes: number;
}

/** An upload's place in the queue and the buffer its body is read into; `release` gives both back. */
export interface AvatarUploadTicket {
  /** `maxBytes` long, reused across uploads: only the part written by this upload may be read. */
  readonly body: Buffer;
  release(): void;
}

/** The stored picture: fits inside this square, aspect kept. */
export const AVATAR_SIZE = 500;
const JPEG_QUALITY = 82;

/**
 * Formats we decode. Everything else libvips could read (SVG, PDF, TIFF, raw, FITS...) is
 * refused: each is more parser surface for no use a profile picture has, and SVG can reference
 * external resources.
 */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);

/** Retry-After for a full queue: one image takes well under a second. */
const BUSY_RETRY_AFTER_SEC = 2;

/** Idle body buffers kept for reuse at most, whatever the queue allows in flight. */
const MAX_IDLE_BODY_BUFFERS = 16;

type Sharp = typeof sharpFunction;

/**
 * sharp and libvips are loaded with the first picture, not with the app: most replicas serve
 * logins and token checks for hours without one, and loading them costs ~8 MiB of resident
 * memory (libvips' code and its start-up allocations) from the start. The first upload waits for
 * the load once (tens of milliseconds).
 */
export const loadSharp = onFirstUse<Sharp>(() =>
  import('sharp').then(({ default: sharp }) => {
    // libvips keeps recently used operations and their pixels around for reuse; every upload is
    // a different image, so that cache only holds memory.
    sharp.cache(false);
    return sharp;
  }),
);

export interface AvatarImageProcessor {
  /**
   * Reserves a place before the body is read: past `maxConcurrency + maxQueue` uploads in
   * flight the request is refused at once, so at most that many bodies are ever buffered.
   * The ticket's buffer is the caller's until it releases the ticket, which it must do only
   * once nothing reads the body any more (after `toAvatarJpeg` settled).
   */
  admit(): AvatarUploadTicket;
  /** Decoded, oriented, stripped, resized and encoded; throws 415/422 AppErrors for bad input. */
  toAvatarJpeg(input: Buffer): Promise<Buffer>;
  readonly pending: () => number;
}

async function inspect(sharp: Sharp, input: Buffer, maxPixels: number) {
  let meta: Metadata;
  try {
    // Reads the header only: no pixel is decoded here, so no pixel limit yet (it would make a
    // bomb look like a non-image); the limit is checked just below and again by the decoder.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: 'The file is not an image (JPEG, PNG, WebP, GIF or AVIF)' });
  }
  if (!ACCEPTED_FORMATS.has(meta.format)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: `Images of type ${meta.format} are not accepted; use JPEG, PNG, WebP, GIF or AVIF` });
  }
  // A decompression bomb is a few kilobytes declaring billions of pixels: refuse it from the header.
  if (meta.width * meta.height > maxPixels) {
    throw appError('IMAGE_INVALID', { detail: `The image has more than ${maxPixels} pixels` });
  }
}

async function render(sharp: Sharp, input: Buffer, maxPixels: number): Promise<Buffer> {
  try {
    return await sharp(input, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate() // applies the EXIF orientation, then the tag is gone with the rest
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' }) // JPEG has no alpha: transparent areas turn white
      .jpeg({ quality: JPEG_QUALITY, progressive: true, mozjpeg: true })
      // No withMetadata()/keepMetadata(): EXIF (GPS, camera), XMP, IPTC and ICC are all dropped.
      .toBuffer();
  } catch (error) {
    throw appError('IMAGE_INVALID', { detail: 'The image cannot be decoded', cause: error });
  }
}

/**
 * Body buffers of `size` bytes, reused. A fresh multi-megabyte buffer per upload is memory the
 * kernel must map and fault in again, and that V8 counts as external memory in its collection
 * heuristics; a reused one is neither. (Under a stream of uploads the full collections that
 * remain come from old-space growth, not from these buffers.) At most `keep` idle buffers are
 * held (the queue's bound: a burst that size holds as many anyway).
 */
function bufferPool(size: number, keep: number) {
  const idle: Buffer[] = [];
  return {
    // Unzeroed: every reader is handed only the bytes its own upload wrote (see AvatarUploadTicket).
    take: (): Buffer => idle.pop() ?? Buffer.allocUnsafeSlow(size),
    give(buffer: Buffer) {
      if (idle.length < keep) idle.push(buffer);
    },
  };
}

export function createAvatarImageProcessor(config: AvatarImageConfig): AvatarImageProcessor {
  const limit = pLimit(config.maxConcurrency);
  const buffers = bufferPool(config.maxBytes, Math.min(config.maxConcurrency + config.maxQueue, MAX_IDLE_BODY_BUFFERS));
  let inFlight = 0;
  return {
    admit() {
      // Same shedding as the password hasher: a flood gets fast 503s, not minutes of latency.
      if (inFlight >= config.maxConcurrency + config.maxQueue) {
        throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'Too many image uploads in progress; retry shortly', retryAfter: BUSY_RETRY_AFTER_SEC });
      }
      inFlight += 1;
      const body = buffers.take();
      let released = false;
      return {
        body,
        release() {
          if (released) return;
          released = true;
          inFlight -= 1;
          buffers.give(body);
        },
      };
    },
    toAvatarJpeg: (input) =>
      limit(async () => {
        const sharp = await loadSharp();
        await inspect(sharp, input, config.maxPixels);
        return render(sharp, input, config.maxPixels);
      }),
    pending: () => inFlight,
  };
}
