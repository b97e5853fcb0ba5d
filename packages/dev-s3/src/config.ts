import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  DEV_S3_HOST: z.string().default('127.0.0.1'),
  DEV_S3_PORT: z.coerce.number().int().min(0).max(65535).default(4569),
  DEV_S3_BUCKET: z.string().min(3).max(63).default('avatars'),
  /** Kept across restarts of `pnpm dev`, so pictures survive them. */
  DEV_S3_DIR: z.string().default(join(tmpdir(), 'authmeet-dev-s3')),
});

/** The only reader of the environment in this package. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid configuration:\n  ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  const e = result.data;
  return { host: e.DEV_S3_HOST, port: e.DEV_S3_PORT, bucket: e.DEV_S3_BUCKET, directory: e.DEV_S3_DIR };
}
