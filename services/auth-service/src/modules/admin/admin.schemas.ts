import { ROLES } from '@authmeet/auth-tokens';
import { pageQuery, safeText } from '@authmeet/http-kit';
import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';

export const userIdParams = z.object({ id: z.uuid('must be a user id') });

export const searchQuery = z.object({
  query: safeText('line').trim().max(254, 'must be at most 254 characters').optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  ...pageQuery,
});

export const reasonBody = z.object({ reason: safeText('line').trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters') });
export const optionalReasonBody = reasonBody.partial();

export const rolesBody = z.object({ roles: z.array(z.enum(ROLES)).max(ROLES.length) });

const adminSessionSchema = z.object({
  id: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  ip: z.string(),
  userAgent: z.string(),
});

export const userDetailSchema = z
  .object({
    user: userSchema,
    sessions: z.array(adminSessionSchema),
    identities: z.array(
      z.object({ provider: z.string(), email: z.string().nullable(), createdAt: z.iso.datetime(), lastLoginAt: z.iso.datetime() }),
    ),
    mfa: z.object({
      totp: z.boolean(),
      passkeys: z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.iso.datetime(), lastUsedAt: z.iso.datetime().nullable() })),
    }),
  })
  .meta({ id: 'AdminUserDetail' });
