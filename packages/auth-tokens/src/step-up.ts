/**
 * Step-up: a route that needs a recent strong login (like Kratos' `required_aal`). The check is
 * on the verified claims alone (`acr` and `auth_time`, kept across refreshes by the
 * auth-service), so any service can ask it without calling the auth-service.
 */
export interface AssuranceClaims {
  readonly acr: 'aal1' | 'aal2';
  /** Epoch seconds of the login (not of the token: refreshes keep it). */
  readonly auth_time: number;
}

/** Thrown by `requireAal2Within`; services answer 403 `STEP_UP_REQUIRED` with these hints. */
export class StepUpRequiredError extends Error {
  override readonly name = 'StepUpRequiredError';
  readonly code = 'STEP_UP_REQUIRED' as const;
  /** What the client must come back with: RFC 9470's `acr_values` and `max_age`. */
  readonly acrValues = 'aal2';
  readonly maxAgeSec: number;

  constructor(maxAgeSec: number) {
    super(`This action needs a login with a second factor or a passkey within the last ${Math.round(maxAgeSec / 60)} minutes`);
    this.maxAgeSec = maxAgeSec;
  }
}

/** True when the login behind the token was `aal2` and at most `maxAgeSec` ago. */
export function isRecentAal2(claims: AssuranceClaims, maxAgeSec: number, nowSec = Date.now() / 1000): boolean {
  return claims.acr === 'aal2' && nowSec - claims.auth_time <= maxAgeSec && claims.auth_time <= nowSec + 60;
}

/**
 * A guard for a route: `requireAal2Within(10)(claims)` throws StepUpRequiredError unless the
 * login was `aal2` within the last 10 minutes.
 */
export function requireAal2Within(minutes: number, clock: () => number = Date.now) {
  const maxAgeSec = minutes * 60;
  return (claims: AssuranceClaims): void => {
    if (!isRecentAal2(claims, maxAgeSec, clock() / 1000)) throw new StepUpRequiredError(maxAgeSec);
  };
}
