export { DEV_S3_CREDENTIALS, startS3Server } from './s3-server.js';
export type { S3Server, S3ServerOptions } from './s3-server.js';
