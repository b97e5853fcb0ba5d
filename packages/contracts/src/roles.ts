import { z } from 'zod';

/**
 * Roles a user may hold (ordinary users hold none): in the auth-service's user object, the
 * access token's `roles` claim and the user sync. What each role may do is the permission map of
 * `@authmeet/auth-tokens`.
 */
export const ROLES = ['moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Roles as another service sends them: absent in snapshots written before roles existed (none),
 * and a name this side does not know grants nothing.
 */
export const receivedRolesSchema = z
  .array(z.string().max(32))
  .max(16)
  .default([])
  .transform((roles) => roles.filter(isRole));
