import type { ServiceContext } from '../../context.js';
import { createLoginThrottle } from './login-throttle.js';
import { createPasswordCheck } from './password-check.js';
import type { PasswordHasher } from './password-hasher.js';
import { createPasswordHasher } from './password-hasher.js';
import { createPasswordPolicy } from './password-policy.js';

/** Hashing (argon2 on worker threads), the strength policy, and the one throttle for every password check. */
export async function passwordsModule({ app, config }: ServiceContext, deps: { hasher?: PasswordHasher | undefined }) {
  const hasher = deps.hasher ?? (await createPasswordHasher(config.argon2));
  const policy = createPasswordPolicy(config.passwordStrength);
  app.addHook('onReady', async () => policy.warm());
  app.addHook('onClose', async () => policy.close());
  // One throttle for every check of a password: login, password change, account deletion.
  const throttle = createLoginThrottle(app.redis, config.bruteForce);
  return { hasher, policy, throttle, assertPassword: createPasswordCheck(hasher, throttle) };
}

export type PasswordsModule = Awaited<ReturnType<typeof passwordsModule>>;
