import type * as S3 from '@aws-sdk/client-s3';
import { AppError } from '@authmeet/http-kit';
import { onFirstUse } from '../../on-first-use.js';

export interface S3Config {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  timeoutMs: number;
}

/** Pictures never change under a key (a new picture gets a new key), so caches may keep them for a year. */
export const AVATAR_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface AvatarStorage {
  put(key: string, body: Buffer): Promise<void>;
  /** Deleting a key that is already gone succeeds (S3 semantics). */
  delete(key: string): Promise<void>;
  /** Every object under the prefix, page by page, until the listing comes back empty. */
  deletePrefix(prefix: string): Promise<number>;
  close(): void;
}

/** Seconds a client should wait after the storage failed. */
const STORAGE_RETRY_AFTER_SEC = 5;

/** Every storage failure (network, timeout, 5xx, refused credentials) is a 503 for the caller: never its fault. */
function unavailable(error: unknown): AppError {
  return new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The picture storage is unavailable', retryAfter: STORAGE_RETRY_AFTER_SEC, cause: error });
}

/**
 * The AWS SDK and its client are loaded with the first picture or deletion, not with the app:
 * most replicas never touch the bucket for hours, and the SDK's modules stay resident once loaded.
 */
export function createAvatarStorage(config: S3Config): AvatarStorage {
  const connect = onFirstUse(() => import('@aws-sdk/client-s3').then((sdk) => ({ sdk, client: newClient(sdk, config) })));
  const bucket = config.bucket;

  async function send<T>(run: (s3: { sdk: typeof S3; client: S3.S3Client }) => Promise<T>): Promise<T> {
    const s3 = await connect();
    try {
      return await run(s3);
    } catch (error) {
      throw unavailable(error);
    }
  }

  return {
    async put(key, body) {
      await send(({ sdk, client }) =>
        client.send(
          new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg', CacheControl: AVATAR_CACHE_CONTROL, ContentLength: body.length }),
        ),
      );
    },

    async delete(key) {
      await send(({ sdk, client }) => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },

    async deletePrefix(prefix) {
      let deleted = 0;
      for (;;) {
        const page = await send(({ sdk, client }) => client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 })));
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length === 0) return deleted;
        const result = await send(({ sdk, client }) => client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } })));
        const failed = result.Errors ?? [];
        if (failed.length > 0) throw unavailable(new Error(`${failed.length} objects not deleted: ${failed[0]?.Code ?? ''} ${failed[0]?.Message ?? ''}`));
        deleted += keys.length;
      }
    },

    // Also when the SDK is still loading: the client it makes is destroyed as soon as it exists.
    close: () => void connect.ifStarted(({ client }) => client.destroy()),
  };
}

function newClient(sdk: typeof S3, config: S3Config): S3.S3Client {
  return new sdk.S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Checksums only where the API demands them: several S3-compatible stores (older MinIO,
    // R2 for some operations) refuse the SDK's newer default trailing checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // One quick retry inside the SDK; the caller (a 503, or the deletion queue) handles the rest.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(config.timeoutMs, 3000), requestTimeout: config.timeoutMs },
  });
}
