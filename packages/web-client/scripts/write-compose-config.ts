// Regenerates the nginx configurations in ingress/ (packages/e2e fails while one is stale): the one
// docker compose mounts, and the one baked into the web client's image (packages/web-client/Dockerfile).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPOSE_INGRESS, COMPOSE_INGRESS_FILE, renderNginxConfig, renderWebClientConfig, WEB_CLIENT_SERVER, WEB_CLIENT_SERVER_FILE } from '../src/ingress.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
writeFileSync(join(repoRoot, COMPOSE_INGRESS_FILE), renderNginxConfig(COMPOSE_INGRESS));
writeFileSync(join(repoRoot, WEB_CLIENT_SERVER_FILE), renderWebClientConfig(WEB_CLIENT_SERVER));
console.log(`wrote ${COMPOSE_INGRESS_FILE} and ${WEB_CLIENT_SERVER_FILE}`);
