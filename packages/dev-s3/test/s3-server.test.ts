import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server } from '../src/index.js';
import type { S3Server } from '../src/index.js';

let server: S3Server;
let client: S3Client;
beforeAll(async () => {
  server = await startS3Server({ port: 0, bucket: 'pictures' });
  client = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const put = (key: string, body: string) =>
  client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body, ContentType: 'text/plain', CacheControl: 'max-age=60' }));

describe('dev-s3', () => {
  it('stores objects in the bucket it created, and serves them without credentials', async () => {
    await put('a/b.txt', 'hello');
    const got = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    expect(got.CacheControl).toBe('max-age=60');
    const res = await fetch(`${server.publicBaseUrl}/a/b.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('hello');
  });

  it('refuses requests signed with other credentials', async () => {
    const stranger = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'someone', secretAccessKey: 'else' },
      maxAttempts: 1,
    });
    await expect(stranger.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'x', Body: 'x' }))).rejects.toThrow();
    stranger.destroy();
  });

  it('goes down on stop and comes back on the same port with the same objects', async () => {
    await put('kept.txt', 'still here');
    await server.stop();
    await expect(fetch(`${server.publicBaseUrl}/kept.txt`)).rejects.toThrow();
    await server.start();
    const res = await fetch(`${server.publicBaseUrl}/kept.txt`);
    expect(await res.text()).toBe('still here');
  });
});
