import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const repoPath = (...parts: string[]) => join(REPO_ROOT, ...parts);

export const readRepoFile = (...parts: string[]) => readFileSync(repoPath(...parts), 'utf8');

/** The two services, as every deployment file names them. */
export const SERVICES = [
  { name: 'auth-service', packageName: '@authmeet/auth-service', port: 5001 },
  { name: 'meetings-service', packageName: '@authmeet/meetings-service', port: 5000 },
] as const;
