import { pathToFileURL } from 'node:url';
import { testRedisEnv } from '@authmeet/test-kit';
import { vi } from 'vitest';
import { repoPath } from './repo.js';
import type { Stack } from './stack.js';

type OperatorCommand = (argv: string[], io: { out: (line: string) => void; err: (line: string) => void }) => Promise<number>;

/**
 * Grants a role the way an operator makes the first admin: the auth-service's `users:role`
 * command (its entry function, loaded from source like the services themselves), against the
 * stack's auth database and Redis prefix, so the change is audited, synced and takes effect at once.
 */
export async function grantRole(stack: Stack, email: string, role: 'admin' | 'moderator'): Promise<void> {
  const source = pathToFileURL(repoPath('services', 'auth-service', 'src', 'users-role.ts')).href;
  const { main } = (await import(source)) as { main: OperatorCommand };
  const env = { ...testRedisEnv(), NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: stack.authDatabaseUrl, REDIS_KEY_PREFIX: stack.redisKeyPrefix };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const errors: string[] = [];
  try {
    const code = await main(['--email', email, '--grant', role], { out: () => undefined, err: (line) => errors.push(line) });
    if (code !== 0) throw new Error(`users:role exited ${code}: ${errors.join('\n')}`);
  } finally {
    vi.unstubAllEnvs();
  }
}
