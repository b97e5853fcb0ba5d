import { startTestS3 } from '@authmeet/test-kit';
import type { TestS3 } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, registerAndLogin } from '../factories.js';
import { solidImage, uploadAvatar } from '../image-kit.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

// Decoding an image takes tens of megabytes; a flood of uploads must queue within a bound and
// be shed beyond it (like the password hashes), never decode all at once.
describe('the image-processing queue is bounded', () => {
  let s3: TestS3;
  let ctx: TestContext;
  beforeAll(async () => {
    s3 = await startTestS3();
    ctx = await startAuthService({ ...s3.env, AVATAR_MAX_CONCURRENCY: '1', AVATAR_MAX_QUEUE: '1' });
  });
  afterAll(async () => {
    await ctx.close();
    await s3.close();
  });

  it('12 concurrent uploads: at most 2 in flight, the rest 503 with Retry-After, and room again afterwards', async () => {
    const { tokens } = await registerAndLogin(ctx.app);
    const image = await solidImage('png', 2500, 2500);
    const responses = await Promise.all(Array.from({ length: 12 }, () => uploadAvatar(ctx.app, tokens.accessToken, image, { type: 'image/png' })));
    const ok = responses.filter((r) => r.statusCode === 200);
    const shed = responses.filter((r) => r.statusCode === 503);
    expect(ok.length + shed.length, responses.map((r) => r.body).join('\n')).toBe(12);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length).toBeLessThanOrEqual(2);
    for (const r of shed) expectProblem(r, 503, 'DEPENDENCY_UNAVAILABLE');

    const after = await uploadAvatar(ctx.app, tokens.accessToken, await solidImage('png', 20, 20), { type: 'image/png' });
    expect(after.statusCode, after.body).toBe(200);
  });
});
