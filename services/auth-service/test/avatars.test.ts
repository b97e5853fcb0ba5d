import { randomBytes } from 'node:crypto';
import { eventually, startTestS3 } from '@authmeet/test-kit';
import type { TestS3 } from '@authmeet/test-kit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, registerAndLogin, STRONG_PASSWORD } from './factories.js';
import { hasGpsTag, phonePhoto, pngBomb, solidImage, uploadAvatar } from './image-kit.js';
import { snapshotOf } from '../src/modules/outbox/outbox.repository.js';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

let s3: TestS3;
let ctx: TestContext;

beforeAll(async () => {
  s3 = await startTestS3();
  ctx = await startAuthService({
    ...s3.env,
    AVATAR_MAX_BYTES: String(1024 * 1024),
    AVATAR_MAX_PIXELS: String(20_000_000),
    AVATAR_DELETION_WORKER_ENABLED: 'true',
    AVATAR_DELETION_POLL_MS: '50',
    AVATAR_DELETION_MAX_BACKOFF_MS: '200',
    S3_TIMEOUT_MS: '1000',
  });
});
afterAll(async () => {
  await ctx.close();
  await s3.close();
});

const keyOf = (avatarUrl: string) => avatarUrl.slice(`${s3.publicBaseUrl}/`.length);
const prefixOf = (userId: string) => `profile-pictures/${userId}/`;

async function uploaded(token: string, body: Buffer) {
  const res = await uploadAvatar(ctx.app, token, body);
  expect(res.statusCode, res.body).toBe(200);
  const user = res.json() as { id: string; avatarUrl: string };
  return { user, key: keyOf(user.avatarUrl) };
}

describe('PUT /v1/auth/me/avatar', () => {
  it.each(['jpeg', 'png', 'webp', 'gif'] as const)('stores a %s as a progressive JPEG inside 500×500 at profile-pictures/{userId}/{uuid}.jpg', async (format) => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const { user: after, key } = await uploaded(tokens.accessToken, await solidImage(format, 1000, 600));
    expect(key).toMatch(new RegExp(`^profile-pictures/${user.id}/[0-9a-f-]{36}\\.jpg$`));
    expect(after.avatarUrl).toBe(`${s3.publicBaseUrl}/${key}`);

    const stored = await s3.read(key);
    expect(stored?.contentType).toBe('image/jpeg');
    expect(stored?.cacheControl).toMatch(/max-age=31536000/);
    const meta = await sharp(stored?.body).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 500, height: 300, isProgressive: true });

    // What browsers load: the public URL answers without credentials.
    const res = await fetch(after.avatarUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) });
    expect(me.json().avatarUrl).toBe(after.avatarUrl);
  });

  it('applies the EXIF orientation and removes every metadata block, GPS included', async () => {
    const photo = await phonePhoto();
    const original = await sharp(photo).metadata();
    expect(original).toMatchObject({ width: 800, height: 400, orientation: 6 });
    expect(hasGpsTag(original.exif)).toBe(true);

    const { tokens } = await registerAndLogin(ctx.app);
    const { key } = await uploaded(tokens.accessToken, photo);
    const stored = await sharp((await s3.read(key))?.body).metadata();
    // Turned upright: the 800×400 sensor image is a 400×800 portrait, fitted into 500×500.
    expect(stored).toMatchObject({ width: 250, height: 500 });
    expect(stored.orientation).toBeUndefined();
    expect(stored.exif).toBeUndefined();
    expect(stored.xmp).toBeUndefined();
    expect(stored.iptc).toBeUndefined();
    expect(stored.icc).toBeUndefined();
  });

  it('never enlarges a small picture', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const { key } = await uploaded(tokens.accessToken, await solidImage('png', 120, 80));
    expect(await sharp((await s3.read(key))?.body).metadata()).toMatchObject({ width: 120, height: 80 });
  });

  it('refuses a text file named .jpg with 415, whatever type it declares', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const res = await uploadAvatar(ctx.app, tokens.accessToken, Buffer.from('just some notes\n'.repeat(50)), { filename: 'notes.jpg', type: 'image/jpeg' });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await s3.keys()).not.toContain(expect.stringContaining(tokens.user.id));
    // The orphan guard is written while the image is judged; a refused image takes it back.
    await eventually(async () => expect(await ctx.app.prisma.avatarDeletion.count({ where: { key: { startsWith: prefixOf(tokens.user.id) } } })).toBe(0));
  });

  it('refuses an SVG (an image, but not one we decode) with 415', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expectProblem(await uploadAvatar(ctx.app, tokens.accessToken, svg, { filename: 'a.svg', type: 'image/svg+xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a truncated image with 422 IMAGE_INVALID', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const jpeg = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } }).jpeg().toBuffer();
    expectProblem(await uploadAvatar(ctx.app, tokens.accessToken, jpeg.subarray(0, Math.floor(jpeg.length / 2))), 422, 'IMAGE_INVALID');
  });

  it('refuses a file over AVATAR_MAX_BYTES with 413', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    expectProblem(await uploadAvatar(ctx.app, tokens.accessToken, randomBytes(1024 * 1024 + 1)), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a small file that decodes to 50 000 × 50 000 pixels from its header, without allocating them', async () => {
    const bomb = await pngBomb();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { tokens } = await registerAndLogin(ctx.app);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const res = await uploadAvatar(ctx.app, tokens.accessToken, bomb, { filename: 'bomb.png', type: 'image/png' });
    expectProblem(res, 422, 'IMAGE_INVALID');
    // Decoding would need 2.5 GB and seconds; the header alone takes neither.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('takes exactly one part named file', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const res = await uploadAvatar(ctx.app, tokens.accessToken, await solidImage('png', 10, 10), { field: 'picture' });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ path: 'file' })]);
    const json = await ctx.app.inject({ method: 'PUT', url: '/v1/auth/me/avatar', headers: bearer(tokens.accessToken), payload: { file: 'x' } });
    expectProblem(json, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('is the only route that accepts multipart', async () => {
    const form = new FormData();
    form.append('email', 'a@example.com');
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', payload: form });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('needs a bearer token', async () => {
    expectProblem(await uploadAvatar(ctx.app, 'not-a-token', await solidImage('png', 10, 10)), 401, 'TOKEN_INVALID');
  });

  it('writes the new avatarUrl into the user sync outbox in the same commit', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const { user: after } = await uploaded(tokens.accessToken, await solidImage('jpeg', 64, 64));
    const rows = await ctx.app.prisma.userOutbox.findMany({ where: { userId: user.id }, orderBy: { id: 'desc' }, take: 1 });
    expect(rows[0]?.payload).toMatchObject({ avatarUrl: after.avatarUrl });
    // The commit builds the snapshot in SQL: it must be exactly what the sync sends for the row.
    const row = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(rows[0]?.payload).toEqual(snapshotOf(row));
    expect(rows[0]?.version).toBe(row.version);
    expect(after).toMatchObject({ updatedAt: row.updatedAt.toISOString(), createdAt: row.createdAt.toISOString(), email: row.email, roles: [] });
    // The guard against orphans was cancelled by the commit: nothing left to delete.
    expect(await ctx.app.prisma.avatarDeletion.count({ where: { key: keyOf(after.avatarUrl) } })).toBe(0);
  });
});

/** A photo-like JPEG (noise around `mean`, so it does not compress to nothing) of `width`×`height`. */
function noisyJpeg(width: number, height: number, mean: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean, sigma: 12 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

// Bodies are read into buffers reused from one upload to the next: no upload may ever be
// decoded with bytes of another.
describe('reused body buffers', () => {
  it('concurrent uploads of different images each store their own picture', async () => {
    const means = [30, 70, 110, 150, 190, 230];
    const cases = await Promise.all(
      means.map(async (mean, i) => ({ mean, height: 200 + 40 * i, body: await noisyJpeg(1000, 400 + 80 * i, mean), login: await registerAndLogin(ctx.app) })),
    );
    for (const c of cases) expect(c.body.length).toBeLessThan(1024 * 1024);
    const stored = await Promise.all(cases.map((c) => uploaded(c.login.tokens.accessToken, c.body)));
    for (const [i, c] of cases.entries()) {
      const body = (await s3.read(stored[i]?.key ?? ''))?.body;
      expect(stored[i]?.user.id).toBe(c.login.user.id);
      expect(await sharp(body).metadata()).toMatchObject({ width: 500, height: c.height });
      const [red] = (await sharp(body).stats()).channels;
      expect(Math.abs((red?.mean ?? 0) - c.mean)).toBeLessThan(8);
    }
  });

  it('a shorter body is never completed by what a longer one left in the buffer', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const whole = await noisyJpeg(900, 700, 128);
    await uploaded(tokens.accessToken, whole);
    // The same bytes, cut short: read together with the rest of the buffer they would decode.
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    expectProblem(await uploadAvatar(ctx.app, tokens.accessToken, cut), 422, 'IMAGE_INVALID');
  });
});

describe('replacing and removing', () => {
  it('deletes the previous object once the new one is saved', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const first = await uploaded(tokens.accessToken, await solidImage('png', 300, 300));
    const second = await uploaded(tokens.accessToken, await solidImage('webp', 300, 300));
    expect(second.key).not.toBe(first.key);
    await eventually(async () => expect(await s3.keys(prefixOf(user.id))).toEqual([second.key]));
  });

  it('racing uploads of one user: each commit learns the key it replaces, one picture remains', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const before = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    const images = await Promise.all([solidImage('png', 300, 300), solidImage('webp', 200, 200), solidImage('jpeg', 100, 100)]);
    await Promise.all(images.map((image) => uploaded(tokens.accessToken, image)));
    const after = await ctx.app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.version).toBe(before.version + 3);
    await eventually(async () => expect(await s3.keys(prefixOf(user.id))).toEqual([after.avatarKey]));
  });

  it('DELETE /v1/auth/me/avatar clears avatarUrl and deletes the object', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const { key } = await uploaded(tokens.accessToken, await solidImage('png', 50, 50));
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me/avatar', headers: bearer(tokens.accessToken) });
    expect(res.statusCode, res.body).toBe(204);
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) });
    expect(me.json().avatarUrl).toBeNull();
    await eventually(async () => expect(await s3.keys(prefixOf(user.id))).toEqual([]));
    expect(await s3.read(key)).toBeUndefined();
  });

  it('closing the account deletes every picture of the user', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    await uploaded(tokens.accessToken, await solidImage('png', 50, 50));
    expect(await s3.keys(prefixOf(user.id))).toHaveLength(1);
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me', headers: bearer(tokens.accessToken), payload: { password: STRONG_PASSWORD } });
    expect(res.statusCode, res.body).toBe(204);
    await eventually(async () => expect(await s3.keys(prefixOf(user.id))).toEqual([]));
  });
});

describe('when the storage is down', () => {
  it('answers uploads with 503, keeps the old picture, and stays ready', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const { user: before } = await uploaded(tokens.accessToken, await solidImage('png', 40, 40));
    await s3.stop();
    try {
      expectProblem(await uploadAvatar(ctx.app, tokens.accessToken, await solidImage('png', 40, 40)), 503, 'DEPENDENCY_UNAVAILABLE');
      const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode, ready.body).toBe(200);
      const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(tokens.accessToken) });
      expect(me.json().avatarUrl).toBe(before.avatarUrl);
    } finally {
      await s3.start();
    }
  });

  it('retries a deletion until the storage is back, then finishes it', async () => {
    const { tokens, user } = await registerAndLogin(ctx.app);
    const { key } = await uploaded(tokens.accessToken, await solidImage('png', 40, 40));
    await s3.stop();
    try {
      const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me/avatar', headers: bearer(tokens.accessToken) });
      expect(res.statusCode, res.body).toBe(204);
      // At least one attempt failed and the row is still queued.
      await eventually(async () => {
        const row = await ctx.app.prisma.avatarDeletion.findFirst({ where: { key } });
        expect(row?.attempts).toBeGreaterThanOrEqual(1);
        expect(row?.lastError).toBeTruthy();
      }, 10_000);
    } finally {
      await s3.start();
    }
    await eventually(async () => {
      expect(await s3.keys(prefixOf(user.id))).toEqual([]);
      expect(await ctx.app.prisma.avatarDeletion.count({ where: { key } })).toBe(0);
    }, 10_000);
  });
});
