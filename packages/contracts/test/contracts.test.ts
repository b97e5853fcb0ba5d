import { describe, expect, it } from 'vitest';
import { internalPaths, revocationMessageSchema, userSnapshotSchema } from '../src/index.js';

describe('contracts', () => {
  it('builds internal paths with the id encoded', () => {
    expect(internalPaths.user('a/b')).toBe('/internal/v1/users/a%2Fb');
    expect(internalPaths.user('x').startsWith(`${internalPaths.users}/`)).toBe(true);
  });

  it('refuses revocation ids that would break a hash tag, and non-finite expiries', () => {
    expect(revocationMessageSchema.safeParse({ sub: 'u', sid: 's', exp: 1 }).success).toBe(true);
    expect(revocationMessageSchema.safeParse({ sub: 'u}', sid: 's', exp: 1 }).success).toBe(false);
    expect(revocationMessageSchema.safeParse({ sub: 'u', sid: 's', exp: Number.POSITIVE_INFINITY }).success).toBe(false);
  });

  it('refuses control characters in a synced user', () => {
    const user = { email: 'a@b.c', username: 'ada', firstName: null, lastName: null, isActive: true, emailVerified: true, version: 1 };
    expect(userSnapshotSchema.safeParse(user).success).toBe(true);
    expect(userSnapshotSchema.safeParse({ ...user, username: 'a\u0000da' }).success).toBe(false);
  });
});
