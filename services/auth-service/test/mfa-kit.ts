import type { HttpApp } from '@authmeet/http-kit';
import { generate } from 'otplib';
import { expect } from 'vitest';
import { bearer, login, registerAndLogin } from './factories.js';
import type { TokensBody } from './factories.js';

/** The code an authenticator app shows `offsetSteps` time steps from now (30 s each). */
export const totp = (secret: string, offsetSteps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

/**
 * Waits, if needed, until the current 30 s step has at least `marginMs` left: a code computed
 * for "two steps ahead" just before a step ends is only one step ahead when the service checks it.
 */
export async function clearOfStepBoundary(marginMs = 5_000): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

export interface MfaUser {
  input: { email: string; username: string; password: string };
  user: { id: string };
  tokens: TokensBody;
  secret: string;
  recoveryCodes: string[];
}

/**
 * A registered user who turned TOTP on: the secret, the recovery codes and a session. It
 * confirms with the previous step's code, so the current and the next step's codes (the
 * window is ±1 step, and a step once used refuses every earlier one) are left for the test.
 */
export async function userWithMfa(app: HttpApp): Promise<MfaUser> {
  const { input, user, tokens } = await registerAndLogin(app);
  const setup = await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/setup', headers: bearer(tokens.accessToken) });
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret } = setup.json() as { secret: string };
  const code = await totp(secret, -1);
  const confirm = await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: bearer(tokens.accessToken), payload: { code } });
  expect(confirm.statusCode, confirm.body).toBe(200);
  return { input, user, tokens, secret, recoveryCodes: confirm.json().recoveryCodes as string[] };
}

/** A password login of an MFA user: the first step's answer. */
export async function firstStep(app: HttpApp, who: MfaUser): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: who.input.email, password: who.input.password } });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { mfaRequired: boolean; mfaToken: string; methods: string[] };
  expect(body.mfaRequired).toBe(true);
  return body.mfaToken;
}

export const verify = (app: HttpApp, payload: Record<string, string>) => app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload });

export { login };
