import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { LoginThrottle } from '../passwords/login-throttle.js';
import { hashRecoveryCode, isTotpShape, matchTotp } from './codes.js';
import type { MfaRepository } from './mfa.repository.js';
import type { SecretBox } from './secret-box.js';
import { appError } from '../../errors.js';

/** A second factor as a request carries it: a TOTP code or a recovery code. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** Checking second factors; used by logins, MFA management and every sensitive action. */
export function createSecondFactor(deps: { repo: MfaRepository; box: SecretBox; throttle: LoginThrottle; clock: () => number }) {
  const { repo, box } = deps;

  /** True when `code` is the user's TOTP code for now, not used before; the step is spent. */
  async function totpMatches(userId: string, code: string): Promise<boolean> {
    const totp = await repo.findTotp(userId);
    if (!totp || !isTotpShape(code)) return false;
    const secret = box.open(totp.secret, userId);
    const step = await matchTotp(secret, code, deps.clock(), totp.lastStep);
    if (step === undefined || !(await repo.takeStep(userId, step))) return false;
    // After a key rotation, secrets move to the active key as they are used (mfa:reseal does the rest).
    if (box.isStale(totp.secret)) await repo.reseal(userId, totp.secret, box.seal(secret, userId));
    return true;
  }

  /** Every guess at a second factor counts on the account's brute-force throttle. */
  async function matches(userId: string, factor: SecondFactor, ip: string): Promise<boolean> {
    const { ok } = await deps.throttle.guard({ userId }, ip, async () => ({
      ok: 'code' in factor ? await totpMatches(userId, factor.code) : await repo.useRecoveryCode(userId, hashRecoveryCode(userId, factor.recoveryCode)),
    }));
    return ok;
  }

  return {
    totpMatches,
    matches,

    /**
     * The `code` a sensitive action needs while MFA is on: a current TOTP code (or, for someone
     * who lost the authenticator, a recovery code, which it spends). Nothing without MFA.
     */
    async requireCurrentCode(user: User, code: string | undefined, ip: string): Promise<void> {
      if (!user.mfaEnabled) return;
      if (code === undefined || code.length === 0) {
        throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'code', message: 'is required while multi-factor authentication is on' }] });
      }
      const factor: SecondFactor = isTotpShape(code) ? { code } : { recoveryCode: code };
      if (!(await matches(user.id, factor, ip))) throw appError('MFA_CODE_INVALID');
    },
  };
}

export type SecondFactorChecker = ReturnType<typeof createSecondFactor>;
