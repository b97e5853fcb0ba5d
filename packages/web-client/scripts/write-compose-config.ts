// Regenerates the nginx configuration docker compose mounts (packages/e2e fails while it is stale).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPOSE_INGRESS, COMPOSE_INGRESS_FILE, renderNginxConfig } from '../src/ingress.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
writeFileSync(join(repoRoot, COMPOSE_INGRESS_FILE), renderNginxConfig(COMPOSE_INGRESS));
console.log(`wrote ${COMPOSE_INGRESS_FILE}`);
