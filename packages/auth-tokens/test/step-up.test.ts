import { describe, expect, it } from 'vitest';
import { StepUpRequiredError, isRecentAal2, requireAal2Within } from '../src/index.js';
import type { AssuranceClaims } from '../src/index.js';

function refusal(guard: (claims: AssuranceClaims) => void, claims: AssuranceClaims): unknown {
  try {
    guard(claims);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('step-up (requireAal2Within)', () => {
  const now = 1_900_000_000;
  const clock = () => now * 1000;

  it('passes an aal2 login within the window, at its edge too', () => {
    const guard = requireAal2Within(10, clock);
    for (const authTime of [now - 600, now - 60, now]) {
      expect(refusal(guard, { acr: 'aal2', auth_time: authTime }), String(now - authTime)).toBeUndefined();
    }
  });

  it('tolerates a login up to a minute in the future (clock skew between hosts), not more', () => {
    const guard = requireAal2Within(10, clock);
    expect(refusal(guard, { acr: 'aal2', auth_time: now + 60 })).toBeUndefined();
    expect(refusal(guard, { acr: 'aal2', auth_time: now + 61 })).toBeInstanceOf(StepUpRequiredError);
  });

  it('refuses aal1, an older login, and an auth_time in the future beyond skew', () => {
    const guard = requireAal2Within(10, clock);
    for (const claims of [{ acr: 'aal1', auth_time: now } as const, { acr: 'aal2', auth_time: now - 601 } as const, { acr: 'aal2', auth_time: now + 3600 } as const]) {
      const caught = refusal(guard, claims);
      expect(caught).toBeInstanceOf(StepUpRequiredError);
      expect(caught).toMatchObject({
        name: 'StepUpRequiredError',
        code: 'STEP_UP_REQUIRED',
        acrValues: 'aal2',
        maxAgeSec: 600,
        message: 'This action needs a login with a second factor or a passkey within the last 10 minutes',
      });
    }
  });

  it('works in minutes, and on the real clock by default', () => {
    const nowSec = Date.now() / 1000;
    const guard = requireAal2Within(5);
    expect(refusal(guard, { acr: 'aal2', auth_time: nowSec - 290 })).toBeUndefined();
    expect(refusal(guard, { acr: 'aal2', auth_time: nowSec - 310 })).toMatchObject({ maxAgeSec: 300 });
    expect(isRecentAal2({ acr: 'aal2', auth_time: nowSec - 30 }, 60)).toBe(true);
    expect(isRecentAal2({ acr: 'aal2', auth_time: nowSec - 90 }, 60)).toBe(false);
    expect(isRecentAal2({ acr: 'aal2', auth_time: now - 30 }, 60, now)).toBe(true);
  });
});
