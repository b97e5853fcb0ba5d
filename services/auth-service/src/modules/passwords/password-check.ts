import type { User } from '../../generated/prisma/client.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { appError } from '../../errors.js';

/**
 * The user's password, checked behind the login throttle: a stolen access token must not
 * become a password oracle. Accounts without a password (Google sign-in) never pass.
 */
export function createPasswordCheck(hasher: PasswordHasher, throttle: LoginThrottle) {
  return async function assertPassword(user: User, password: string, ip: string): Promise<void> {
    const passwordHash = user.passwordHash;
    const { ok } = await throttle.guard({ userId: user.id }, ip, async () => {
      if (passwordHash !== null) return hasher.verify(passwordHash, password);
      await hasher.verifyDummy(password);
      return { ok: false };
    });
    if (!ok) throw appError('INVALID_CREDENTIALS');
  };
}
