/**
 * Roles and what they may do: a fixed map in code, the same in every service, so a route's
 * permission is decided from the access token's `roles` claim alone (no call per request).
 * Ordinary users have no role and none of these permissions.
 */
import { isRole, ROLES } from '@authmeet/contracts';
import type { Role } from '@authmeet/contracts';

export { isRole, ROLES };
export type { Role };

export const PERMISSIONS = [
  /** Search users and read any user's detail (admin API). */
  'users:read',
  /** Disable/enable users, set roles, revoke their sessions, reset their MFA. */
  'users:write',
  /** Read the audit trail. */
  'audit:read',
  /** Read any meeting and its participants. */
  'meetings:read',
  /** End any meeting and remove participants from it. */
  'meetings:moderate',
  /** Delete any meeting. */
  'meetings:delete',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  moderator: Object.freeze(['meetings:read', 'meetings:moderate'] as const),
  admin: Object.freeze(['users:read', 'users:write', 'audit:read', 'meetings:read', 'meetings:moderate', 'meetings:delete'] as const),
});

export function hasPermission(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}
