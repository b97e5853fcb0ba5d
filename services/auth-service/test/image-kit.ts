import type { HttpApp } from '@authmeet/http-kit';
import sharp from 'sharp';

export { pngBomb } from '@authmeet/test-kit';

/** A solid test image in the given format. */
export function solidImage(format: 'jpeg' | 'png' | 'webp' | 'gif', width: number, height: number): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } });
  return base.toFormat(format).toBuffer();
}

/** The EXIF GPS IFD pointer tag (0x8825), in either byte order. */
export function hasGpsTag(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  return exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));
}

/** A landscape JPEG (800×400 as stored) whose EXIF says "rotate 90°" and carries a GPS position. */
export function phonePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 400, channels: 3, background: '#3366cc' } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCam', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' } })
    .toBuffer();
}

/** PUT /v1/auth/me/avatar with one multipart part. */
export function uploadAvatar(app: HttpApp, token: string, body: Buffer, opts: { filename?: string; type?: string; field?: string } = {}) {
  const form = new FormData();
  form.append(opts.field ?? 'file', new Blob([new Uint8Array(body)], { type: opts.type ?? 'image/jpeg' }), opts.filename ?? 'picture.jpg');
  return app.inject({ method: 'PUT', url: '/v1/auth/me/avatar', headers: { authorization: `Bearer ${token}` }, payload: form });
}
