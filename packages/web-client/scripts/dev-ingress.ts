// `pnpm dev` companion: nginx on one port in front of both services and the web client, with
// the Kubernetes Ingress's routes, so the browser sees a single origin (no CORS needed). The client
// is built first and rebuilt on every change (`vite build --watch`): reload the page to see it.
//   INGRESS_PORT (8080), AUTH_UPSTREAM (127.0.0.1:5001), MEETINGS_UPSTREAM (127.0.0.1:5000), NGINX_BIN
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNginxConfig } from '../src/ingress.ts';
import { watchWebClient } from '../src/build.ts';
import { findNginx, startNginx } from '../src/nginx-process.ts';
import { webRootFor } from '../src/public-dir.ts';

const port = Number(process.env.INGRESS_PORT ?? 8080);
const bin = findNginx(process.env.PATH, process.env.NGINX_BIN);
if (bin === undefined) {
  // The services still run on their own ports; only the single-origin entry point is missing.
  console.warn('[ingress] nginx not found: install it (Debian: apt-get install nginx-light) or set NGINX_BIN. Skipping the ingress.');
  process.exit(0);
}

const client = await watchWebClient();

// A temp folder: nginx writes its pid, logs and buffers there and never needs root.
const runtimeDir = mkdtempSync(join(tmpdir(), 'authmeet-ingress-'));
const config = renderNginxConfig({
  listen: `127.0.0.1:${port}`,
  upstreams: {
    auth: process.env.AUTH_UPSTREAM ?? '127.0.0.1:5001',
    meetings: process.env.MEETINGS_UPSTREAM ?? '127.0.0.1:5000',
  },
  webRoot: webRootFor(runtimeDir),
  runtimeDir,
  accessLog: true,
  // Swagger UI of both services at /docs/auth/ and /docs/meetings/.
  docs: true,
});

const nginx = await startNginx({ bin, config, runtimeDir, ports: [port] }).catch((err: unknown) => {
  rmSync(runtimeDir, { recursive: true, force: true });
  throw err;
});
console.log(`[ingress] http://localhost:${port}/ → web client; /v1/auth, /.well-known → auth-service; /v1/meetings → meetings-service; /docs/auth/, /docs/meetings/ → Swagger UI (logs in ${runtimeDir})`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await nginx.stop();
  await client.close();
  rmSync(runtimeDir, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
nginx.child.once('exit', (code) => {
  if (stopping) return;
  console.error(`[ingress] nginx exited (${String(code)}):\n${nginx.errorLog()}`);
  rmSync(runtimeDir, { recursive: true, force: true });
  process.exit(1);
});
