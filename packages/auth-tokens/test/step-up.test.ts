import { describe, expect, it } from 'vitest';
import { StepUpRequiredError, isRecentAal2, requireAal2Within } from '../src/index.js';

describe('step-up (requireAal2Within)', () => {
  const now = 1_900_000_000;
  const clock = () => now * 1000;

  it('passes an aal2 login within the window, at its edge too', () => {
    const guard = requireAal2Within(10, clock);
    expect(() => guard({ acr: 'aal2', auth_time: now - 60 })).not.toThrow();
    expect(() => guard({ acr: 'aal2', auth_time: now - 600 })).not.toThrow();
  });

  it('refuses aal1, an older login, and an auth_time in the future beyond skew', () => {
    const guard = requireAal2Within(10, clock);
    for (const claims of [{ acr: 'aal1', auth_time: now } as const, { acr: 'aal2', auth_time: now - 601 } as const, { acr: 'aal2', auth_time: now + 3600 } as const]) {
      let caught: unknown;
      try {
        guard(claims);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(StepUpRequiredError);
      expect(caught).toMatchObject({ code: 'STEP_UP_REQUIRED', acrValues: 'aal2', maxAgeSec: 600 });
    }
    expect(isRecentAal2({ acr: 'aal2', auth_time: now - 30 }, 60, now)).toBe(true);
  });
});
