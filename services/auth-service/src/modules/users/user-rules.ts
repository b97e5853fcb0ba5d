import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { UsersRepository } from './users.repository.js';
import { appError } from '../../errors.js';

function uniqueViolationField(error: unknown): 'email' | 'username' | undefined {
  if ((error as { code?: unknown }).code !== 'P2002') return undefined;
  const text = JSON.stringify((error as { meta?: unknown }).meta ?? {}) + String((error as Error).message);
  if (text.includes('email')) return 'email';
  if (text.includes('username')) return 'username';
  return undefined;
}

/** A unique violation on users' email or username, as the conflict the client sees. */
export function conflictFromUniqueViolation(error: unknown): AppError | undefined {
  const field = uniqueViolationField(error);
  if (field === 'email') return appError('EMAIL_TAKEN');
  if (field === 'username') return appError('USERNAME_TAKEN');
  return undefined;
}

/** The user behind a valid access token, unless the account was closed or disabled since. */
export async function requireActiveUser(users: Pick<UsersRepository, 'findById'>, userId: string): Promise<User> {
  const user = await users.findById(userId);
  if (!user || !user.isActive) throw new AppError('UNAUTHENTICATED', { detail: 'The account no longer exists' });
  return user;
}
