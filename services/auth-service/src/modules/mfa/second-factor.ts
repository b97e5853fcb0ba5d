import { AppError } from '@authmeet/http-kit';
import type { User } from '../../generated/prisma/client.js';
import type { LoginThrottle, OneTimePass, PassCheck } from '../passwords/login-throttle.js';
import { hashRecoveryCode, isTotpShape, matchTotp } from './codes.js';
import type { LoginAccount, MfaRepository } from './mfa.repository.js';
import type { SecretBox } from './secret-box.js';
import { appError } from '../../errors.js';

/** A second factor as a request carries it: a TOTP code or a recovery code. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** Checking second factors; used by logins, MFA management and every sensitive action. */
export function createSecondFactor(deps: { repo: MfaRepository; box: SecretBox; throttle: LoginThrottle; clock: () => number }) {
  const { repo, box } = deps;

  /** True when `code` is the user's TOTP code for now, not used before; the step is spent. */
  async function totpMatches(userId: string, code: string): Promise<boolean> {
    return totpRowMatches(userId, await repo.findTotp(userId), code);
  }

  /** `totpMatches` against the TOTP row as read (its last step is checked again as it is spent). */
  async function totpRowMatches(userId: string, totp: LoginAccount['totp'], code: string): Promise<boolean> {
    if (!totp || !isTotpShape(code)) return false;
    const secret = box.open(totp.secret, userId);
    const step = await matchTotp(secret, code, deps.clock(), totp.lastStep);
    if (step === undefined || !(await repo.takeStep(userId, step))) return false;
    // After a key rotation, secrets move to the active key as they are used (mfa:reseal does the rest).
    if (box.isStale(totp.secret)) await repo.reseal(userId, totp.secret, box.seal(secret, userId));
    return true;
  }

  const factorMatches = (userId: string, factor: SecondFactor, totp: () => Promise<LoginAccount['totp']>) =>
    'code' in factor ? totp().then((row) => totpRowMatches(userId, row, factor.code)) : repo.useRecoveryCode(userId, hashRecoveryCode(userId, factor.recoveryCode));

  /** Every guess at a second factor counts on the account's brute-force throttle. */
  async function matches(userId: string, factor: SecondFactor, ip: string): Promise<boolean> {
    const { ok } = await deps.throttle.guard({ userId }, ip, async () => ({ ok: await factorMatches(userId, factor, () => repo.findTotp(userId)) }));
    return ok;
  }

  return {
    totpMatches,
    matches,

    /**
     * `matches` for the second login step, made under the login's one-time pass (its mfaToken):
     * the throttle reads the pass with its reservation and takes it with the settle of a right
     * answer (see `guardUnderPass`). `account` gives the user and TOTP row once the pass is known
     * to be live (`value`: its stored field), or throws to refuse the step uncounted.
     */
    async matchesUnderPass(
      pass: OneTimePass & { userId: string },
      factor: SecondFactor,
      ip: string,
      account: (value: string) => Promise<LoginAccount>,
    ): Promise<PassCheck<{ ok: boolean; user: User }>> {
      return deps.throttle.guardUnderPass({ userId: pass.userId }, ip, pass, async (value) => {
        const { user, totp } = await account(value);
        return { ok: await factorMatches(user.id, factor, async () => totp), user };
      });
    },

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
