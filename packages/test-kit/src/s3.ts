import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startS3Server } from '@authmeet/dev-s3';
import type { S3Server } from '@authmeet/dev-s3';

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

export interface TestS3 extends S3Server {
  /** Every key under the prefix (the whole bucket by default). */
  keys(prefix?: string): Promise<string[]>;
  /** The object as stored, or undefined when there is none. */
  read(key: string): Promise<StoredObject | undefined>;
}

/**
 * A real S3-compatible server (s3rver, in-process) on a free port with its bucket created and
 * objects in a temporary folder: `env` goes into the service's configuration. `stop()` and
 * `start()` simulate an outage; `close()` in afterAll.
 */
export async function startTestS3(bucket = 'avatars'): Promise<TestS3> {
  const server = await startS3Server({ port: 0, bucket });
  const client = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials, maxAttempts: 1 });
  return {
    ...server,
    async keys(prefix = '') {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])).sort();
    },
    async read(key) {
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await got.Body?.transformToByteArray();
        return { body: Buffer.from(bytes ?? []), contentType: got.ContentType, cacheControl: got.CacheControl };
      } catch (error) {
        if ((error as { name?: unknown }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
