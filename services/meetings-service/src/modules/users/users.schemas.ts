import { safeText } from '@authmeet/http-kit';
import { z } from 'zod';

export const userIdParams = z.object({ id: z.uuid('must be a user id') });

const int32 = z.number().int().max(2_147_483_647);

/**
 * What the auth-service's user sync sends; unknown members are ignored. Text refuses control
 * characters like every other input; bidi rules stay the auth-service's (`line`), so a user it
 * accepted before a rule changed still syncs instead of becoming a dead letter.
 */
export const syncUserBody = z
  .object({
    email: safeText('line').trim().min(1).max(254),
    // Wider than the auth-service's 3–32 on purpose: its anonymised names are longer.
    username: safeText('line').trim().min(1).max(64),
    firstName: safeText('line').max(100).nullable(),
    lastName: safeText('line').max(100).nullable(),
    isActive: z.boolean(),
    emailVerified: z.boolean(),
    version: int32.min(1),
  })
  .meta({ id: 'UserSync' });

export type SyncUserBody = z.infer<typeof syncUserBody>;

export const deleteUserQuery = z.object({
  version: z.coerce.number().pipe(int32.min(0)).optional(),
});

export const appliedResponse = z.object({ applied: z.boolean() }).meta({ id: 'SyncApplied' });

/** GET /internal/v1/users/{id} on the auth-service: the subset this service keeps. */
export const directoryUserSchema = z.object({
  id: z.uuid(),
  email: z.string().min(1),
  username: z.string().min(1),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  isActive: z.boolean(),
  emailVerified: z.boolean(),
  version: int32.min(0),
  deleted: z.boolean().optional(),
});

export type DirectoryUser = z.infer<typeof directoryUserSchema>;

export const directoryPageSchema = z.object({ items: z.array(directoryUserSchema), nextCursor: z.string().nullable() });
