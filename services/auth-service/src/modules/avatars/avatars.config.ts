import { boolish, duration, int, optionalBool } from '@authmeet/http-kit';
import { z } from 'zod';

const url = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }))
  .transform((v) => v.replace(/\/+$/, ''));

/** The local S3 server `pnpm dev` starts (packages/dev-s3) with its fixed credentials. */
const DEV_S3 = { endpoint: 'http://127.0.0.1:4569', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Profile pictures and the bucket they live in; spread into the service's environment schema. */
export const avatarEnv = {
  /** Any S3-compatible API (AWS S3, Cloudflare R2, MinIO, s3rver). Unset in production: AWS S3. */
  S3_ENDPOINT: url.optional(),
  /** `auto` for R2; any value for MinIO and s3rver. */
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_BUCKET: z.string().trim().min(3).max(63).default('avatars'),
  /** Unset in production: the SDK's default chain (IAM role, web identity, instance profile). */
  S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  /** `bucket` in the path rather than the host name: MinIO and s3rver need it. Default: on with S3_ENDPOINT. */
  S3_FORCE_PATH_STYLE: optionalBool,
  /** One S3 request, connecting included; past it the upload answers 503. */
  S3_TIMEOUT_MS: int(10_000, 100),
  /** Where browsers load pictures from (a CDN, the bucket's public URL); the object key is appended. */
  AVATAR_PUBLIC_BASE_URL: url.optional(),
  AVATAR_MAX_BYTES: int(5 * 1024 * 1024, 1024),
  /** Width × height; anything larger is refused from its header, before a pixel is decoded. */
  AVATAR_MAX_PIXELS: int(40_000_000, 1),
  /** Images decoded at once; the rest queue. Caps memory under an upload flood. */
  AVATAR_MAX_CONCURRENCY: int(2),
  /** Uploads allowed to wait for a slot (their bodies unread); beyond that 503 at once. */
  AVATAR_MAX_QUEUE: int(8, 0),
  AVATAR_DELETION_WORKER_ENABLED: boolish.default(true),
  AVATAR_DELETION_POLL_MS: int(5000, 10),
  AVATAR_DELETION_MAX_BACKOFF_MS: int(300_000, 10),
  /** How long after an upload began an object whose database commit never happened is deleted. */
  AVATAR_ORPHAN_GRACE: duration('1h'),
};

type AvatarEnv = z.output<z.ZodObject<typeof avatarEnv>> & { NODE_ENV: string };

/** Production must name its bucket's public URL: the dev default points at a local server. */
export function avatarEnvProblems(env: AvatarEnv): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (env.NODE_ENV === 'production' && !env.AVATAR_PUBLIC_BASE_URL) {
    problems.push({ path: 'AVATAR_PUBLIC_BASE_URL', message: 'production needs the public URL of the profile-picture bucket' });
  }
  if ((env.S3_ACCESS_KEY_ID === undefined) !== (env.S3_SECRET_ACCESS_KEY === undefined)) {
    problems.push({ path: 'S3_SECRET_ACCESS_KEY', message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together' });
  }
  return problems;
}

export function toAvatarConfig(env: AvatarEnv) {
  const production = env.NODE_ENV === 'production';
  const endpoint = env.S3_ENDPOINT ?? (production ? undefined : DEV_S3.endpoint);
  const credentials =
    env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
      : production
        ? undefined
        : { accessKeyId: DEV_S3.accessKeyId, secretAccessKey: DEV_S3.secretAccessKey };
  return {
    s3: {
      endpoint,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      credentials,
      forcePathStyle: env.S3_FORCE_PATH_STYLE ?? endpoint !== undefined,
      timeoutMs: env.S3_TIMEOUT_MS,
    },
    publicBaseUrl: env.AVATAR_PUBLIC_BASE_URL ?? `${endpoint ?? ''}/${env.S3_BUCKET}`,
    maxBytes: env.AVATAR_MAX_BYTES,
    maxPixels: env.AVATAR_MAX_PIXELS,
    maxConcurrency: env.AVATAR_MAX_CONCURRENCY,
    maxQueue: env.AVATAR_MAX_QUEUE,
    deletion: {
      workerEnabled: env.AVATAR_DELETION_WORKER_ENABLED,
      pollMs: env.AVATAR_DELETION_POLL_MS,
      maxBackoffMs: env.AVATAR_DELETION_MAX_BACKOFF_MS,
      orphanGraceSec: env.AVATAR_ORPHAN_GRACE,
    },
  };
}

export type AvatarConfig = ReturnType<typeof toAvatarConfig>;
