import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver accepts exactly this key pair (any other signature is refused, as S3 would). */
export const DEV_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3ServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  bucket?: string;
  /** Where objects are kept; a fresh temporary folder (removed on close) when omitted. */
  directory?: string;
}

export interface S3Server {
  /** `S3_ENDPOINT` for a client (path-style addressing). */
  endpoint: string;
  port: number;
  bucket: string;
  region: string;
  credentials: typeof DEV_S3_CREDENTIALS;
  /** Where the bucket's objects are readable without credentials: `AVATAR_PUBLIC_BASE_URL`. */
  publicBaseUrl: string;
  /** The environment a service needs to use this server. */
  env: Record<string, string>;
  /** Stops answering (an outage); objects stay on disk. */
  stop(): Promise<void>;
  /** Serves again on the same port with the same objects. */
  start(): Promise<void>;
  /** Stops for good; a temporary folder is removed. */
  close(): Promise<void>;
}

/** A real S3-compatible server (s3rver) with one bucket, for `pnpm dev` and tests. */
export async function startS3Server(opts: S3ServerOptions = {}): Promise<S3Server> {
  const host = opts.host ?? '127.0.0.1';
  const bucket = opts.bucket ?? 'avatars';
  const directory = opts.directory ?? (await mkdtemp(join(tmpdir(), 'dev-s3-')));
  const temporary = opts.directory === undefined;
  let port = opts.port ?? 0;
  let server: S3rver | undefined;

  async function start(): Promise<void> {
    if (server) return;
    const next = new S3rver({ address: host, port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
    const info = await next.run();
    port = info.port;
    server = next;
  }
  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    await current?.close();
  }

  await start();
  const endpoint = `http://${host}:${port}`;
  return {
    endpoint,
    port,
    bucket,
    region: 'us-east-1',
    credentials: DEV_S3_CREDENTIALS,
    publicBaseUrl: `${endpoint}/${bucket}`,
    env: {
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: DEV_S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: DEV_S3_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      AVATAR_PUBLIC_BASE_URL: `${endpoint}/${bucket}`,
    },
    stop,
    start,
    async close() {
      await stop();
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}
