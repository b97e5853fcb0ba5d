import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, ROLE_PERMISSIONS, hasPermission } from '../src/index.js';
import type { Permission, Role } from '../src/index.js';

/** The whole map, written out: a permission added to or dropped from a role must show up here. */
const EXPECTED: Record<Role, readonly Permission[]> = {
  moderator: ['meetings:read', 'meetings:moderate'],
  admin: ['users:read', 'users:write', 'audit:read', 'meetings:read', 'meetings:moderate', 'meetings:delete'],
};

describe('role permissions', () => {
  it('names exactly these permissions and grants each role exactly its own', () => {
    expect([...PERMISSIONS]).toEqual(['users:read', 'users:write', 'audit:read', 'meetings:read', 'meetings:moderate', 'meetings:delete']);
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect([...ROLE_PERMISSIONS[role]]).toEqual(EXPECTED[role]);
  });

  it('decides every role and permission from that map', () => {
    for (const role of ROLES) {
      for (const permission of PERMISSIONS) {
        expect(hasPermission([role], permission), `${role} ${permission}`).toBe(EXPECTED[role].includes(permission));
      }
    }
  });

  it('grants nothing to a user without roles, and what any one role grants to several', () => {
    for (const permission of PERMISSIONS) expect(hasPermission([], permission), permission).toBe(false);
    expect(hasPermission(['moderator', 'admin'], 'users:write')).toBe(true);
    expect(hasPermission(['admin', 'moderator'], 'users:write')).toBe(true);
    expect(hasPermission(['moderator', 'moderator'], 'meetings:delete')).toBe(false);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ROLE_PERMISSIONS)).toBe(true);
    for (const role of ROLES) expect(Object.isFrozen(ROLE_PERMISSIONS[role])).toBe(true);
  });
});
