import { eventually } from '@authmeet/test-kit';
import { describe, expect, it } from 'vitest';
import { createPasswordPolicy } from '../src/modules/passwords/password-policy.js';

// The strength estimator's threads hold zxcvbn's dictionaries (~40 MB each): a replica that sees
// no registration or password change should hold none.
describe('password strength threads', () => {
  it('on demand: none until the first estimate, one while estimates come, none again once idle', async () => {
    const policy = createPasswordPolicy({ threads: 1, maxQueue: 4, idleTimeoutMs: 300 });
    try {
      await policy.warm();
      expect(policy.threads()).toBe(0);
      await expect(policy.assertStrong('Password1!', [], 'password')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(policy.threads()).toBe(1);
      await policy.assertStrong('Analytical-Engine-1843', ['ada'], 'password');
      await eventually(() => expect(policy.threads()).toBe(0), 5_000);
      // The next estimate starts a thread again and judges as before.
      await expect(policy.assertStrong('Password1!', [], 'password')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(policy.threads()).toBe(1);
    } finally {
      await policy.close();
    }
  }, 30_000);

  it('with no idle timeout: the threads start with the app (warm) and stay', async () => {
    const policy = createPasswordPolicy({ threads: 2, maxQueue: 4, idleTimeoutMs: 0 });
    try {
      await policy.warm();
      expect(policy.threads()).toBe(2);
      await policy.assertStrong('Analytical-Engine-1843', [], 'password');
      await new Promise((r) => setTimeout(r, 500));
      expect(policy.threads()).toBe(2);
    } finally {
      await policy.close();
    }
  }, 30_000);
});
