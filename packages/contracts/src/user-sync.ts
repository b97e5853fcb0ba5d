import { z } from 'zod';
import { receivedRolesSchema } from './roles.js';
import { safeText } from './text.js';

const int32 = z.number().int().max(2_147_483_647);
/** A profile picture's public URL; absent in changes written before pictures existed (none then). */
const avatarUrl = z.url({ protocol: /^https?$/ }).max(1024).nullable().default(null);

/**
 * The user sync snapshot: what the auth-service's outbox relay sends as the body of
 * PUT {@link internalPaths.user} on the meetings-service, and what that service stores. Unknown
 * members are ignored. Text refuses control characters like every other input; bidi rules stay
 * the auth-service's (`line`), so a user it accepted before a rule changed still syncs instead
 * of becoming a dead letter.
 */
export const userSnapshotSchema = z
  .object({
    email: safeText('line').trim().min(1).max(254),
    // Wider than the auth-service's 3–32 on purpose: its anonymised names are longer.
    username: safeText('line').trim().min(1).max(64),
    firstName: safeText('line').max(100).nullable(),
    lastName: safeText('line').max(100).nullable(),
    isActive: z.boolean(),
    emailVerified: z.boolean(),
    /** The user has a second factor (step-up for sensitive actions). Absent from older senders: false. */
    mfaEnabled: z.boolean().optional(),
    roles: receivedRolesSchema,
    avatarUrl,
    version: int32.min(1),
  })
  .meta({ id: 'UserSync' });

export type UserSnapshot = z.infer<typeof userSnapshotSchema>;

/** DELETE {@link internalPaths.user}: the version of the deletion, when the sender knows it. */
export const userDeletionQuerySchema = z.object({
  version: z.coerce.number().pipe(int32.min(0)).optional(),
});

/** The answer to a sync PUT: whether the snapshot was newer than the stored copy. */
export const syncAppliedSchema = z.object({ applied: z.boolean() }).meta({ id: 'SyncApplied' });

/** Most users one batch PUT {@link internalPaths.users} carries. */
export const USER_SYNC_BATCH_MAX = 500;

/**
 * PUT {@link internalPaths.users}: many users' snapshots in one request (the outbox relay's
 * batches). Each applies exactly as its own PUT would: only when newer, never reviving a deleted
 * user; a user named twice counts once, with its highest version.
 */
export const userSyncBatchSchema = z
  .object({
    users: z
      .array(userSnapshotSchema.extend({ id: z.uuid() }).meta({ id: 'UserSyncBatchItem' }))
      .min(1)
      .max(USER_SYNC_BATCH_MAX),
  })
  .meta({ id: 'UserSyncBatch' });

export type UserSyncBatch = z.infer<typeof userSyncBatchSchema>;

/** The answer to a batch PUT: each user's outcome, in the order sent (a repeated id once). */
export const syncBatchAppliedSchema = z
  .object({ results: z.array(z.object({ id: z.uuid(), applied: z.boolean() })) })
  .meta({ id: 'SyncBatchApplied' });

/**
 * One user as the auth-service's directory (GET {@link internalPaths.user} and
 * {@link internalPaths.users}) answers it, read by the meetings-service: the subset it keeps.
 */
export const directoryUserSchema = z.object({
  id: z.uuid(),
  email: z.string().min(1),
  username: z.string().min(1),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  isActive: z.boolean(),
  emailVerified: z.boolean(),
  mfaEnabled: z.boolean().optional(),
  roles: receivedRolesSchema,
  avatarUrl,
  version: int32.min(0),
  deleted: z.boolean().optional(),
});

export type DirectoryUser = z.infer<typeof directoryUserSchema>;

export const directoryPageSchema = z.object({ items: z.array(directoryUserSchema), nextCursor: z.string().nullable() });

export type DirectoryPage = z.infer<typeof directoryPageSchema>;
