import { ROLES } from '@authmeet/auth-tokens';
import { safeText } from '@authmeet/http-kit';
import { z } from 'zod';
import type { User } from '../../generated/prisma/client.js';

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    username: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    emailVerified: z.boolean(),
    isActive: z.boolean(),
    mfaEnabled: z.boolean(),
    /** `moderator`, `admin`; empty for ordinary users. */
    roles: z.array(z.enum(ROLES)),
    /** The profile picture (a JPEG of at most 500×500), or null. */
    avatarUrl: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export type PublicUser = z.infer<typeof userSchema>;

/** The only way a user leaves the service: no hash, no internal columns. */
/** What the API shows of a user: any source with these fields (a row, or a statement's RETURNING). */
export type PublicUserSource = Pick<
  User,
  'id' | 'email' | 'username' | 'firstName' | 'lastName' | 'emailVerified' | 'isActive' | 'mfaEnabled' | 'roles' | 'avatarUrl' | 'createdAt' | 'updatedAt'
>;

export function toPublicUser(u: PublicUserSource): PublicUser {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    firstName: u.firstName,
    lastName: u.lastName,
    emailVerified: u.emailVerified,
    isActive: u.isActive,
    mfaEnabled: u.mfaEnabled,
    roles: [...u.roles],
    avatarUrl: u.avatarUrl,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** What the meetings-service's copy needs, with the version it orders changes by. */
export const syncUserSchema = userSchema
  .extend({ version: z.number().int(), deleted: z.boolean() })
  .meta({ id: 'SyncUser' });

export function toSyncUser(u: User): z.infer<typeof syncUserSchema> {
  return { ...toPublicUser(u), version: u.version, deleted: u.deletedAt !== null };
}

export const emailSchema = safeText()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'))
  .meta({ examples: ['ada@example.com'] });

export const usernameSchema = safeText()
  .trim()
  .regex(/^[a-zA-Z0-9_.-]{3,32}$/, 'must be 3–32 characters of letters, digits, "_", "." or "-"')
  .meta({ examples: ['ada'] });

export const nameSchema = safeText().trim().max(100, 'must be at most 100 characters');
