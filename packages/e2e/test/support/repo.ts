import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const repoPath = (...parts: string[]) => join(REPO_ROOT, ...parts);

export const readRepoFile = (...parts: string[]) => readFileSync(repoPath(...parts), 'utf8');

/**
 * The two services, as every deployment file names them: the API port, and the separate metrics
 * port (`METRICS_PORT`) that only Prometheus reaches.
 */
export const SERVICES = [
  { name: 'auth-service', packageName: '@authmeet/auth-service', port: 5001, metricsPort: 9101 },
  { name: 'meetings-service', packageName: '@authmeet/meetings-service', port: 5000, metricsPort: 9100 },
] as const;
