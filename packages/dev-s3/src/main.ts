import { mkdir } from 'node:fs/promises';
import { loadConfig } from './config.js';
import { startS3Server } from './s3-server.js';
import type { S3Server } from './s3-server.js';

const config = loadConfig();
await mkdir(config.directory, { recursive: true });
let server: S3Server;
try {
  server = await startS3Server(config);
} catch (err) {
  if ((err as { code?: unknown }).code === 'EADDRINUSE') {
    // Usually a dev-s3 from an earlier `pnpm dev`: leave it serving rather than failing the whole dev stack.
    console.warn(`dev-s3: port ${config.port} on ${config.host} is taken; is another dev-s3 running? Not starting.`);
    process.exit(0);
  }
  throw err;
}
console.log(`dev-s3: S3 API on ${server.endpoint}, bucket "${server.bucket}" (objects in ${config.directory}); pictures at ${server.publicBaseUrl}/`);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
