import type { User } from '../../generated/prisma/client.js';
import { humanDuration, renderActionMail } from '../mail/mail-layout.js';
import type { MailRepository, MailRow } from '../mail/mail.repository.js';
import type { MailComposer } from '../mail/mailer.js';
import type { Db, UsersRepository } from '../users/users.repository.js';
import type { AccountTokenPurpose, AccountTokensRepository } from './account-tokens.repository.js';
import { mintAccountToken } from './account-tokens.repository.js';

export const VERIFICATION_MAIL = 'email-verification';
export const RESET_MAIL = 'password-reset';

export interface AccountMailsDeps {
  users: UsersRepository;
  tokens: AccountTokensRepository;
  mails: MailRepository;
  clock: () => number;
  config: {
    verifyEmailUrl: string;
    resetPasswordUrl: string;
    verificationTtlSec: number;
    resetTtlSec: number;
  };
}

/** Builds `base?token=…` keeping any query the configured page URL already has. */
function linkWith(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  return url.href;
}

/**
 * Account mails: queued in the transaction of the change that needs them, composed by the mail
 * worker. The one-time token is minted at compose time, so (a) no raw token is ever stored,
 * not even in the queue, and (b) a mail delayed by an SMTP outage still carries a token with its
 * full lifetime. A retried send mints a fresh token; the unused one simply expires.
 */
export function createAccountMails(deps: AccountMailsDeps) {
  const { users, tokens, mails, config } = deps;

  async function mintFor(user: User, purpose: AccountTokenPurpose, ttlSec: number): Promise<string> {
    const { token, hash } = mintAccountToken();
    const expiresAt = new Date(deps.clock() + ttlSec * 1000);
    await tokens.create({ userId: user.id, purpose, tokenHash: hash, email: user.email, expiresAt });
    return token;
  }

  async function activeUser(row: MailRow): Promise<User | undefined> {
    const user = row.userId ? await users.findById(row.userId) : null;
    return user && user.isActive ? user : undefined;
  }

  const verification: MailComposer = async (row) => {
    const user = await activeUser(row);
    if (!user) return { skip: 'account closed' };
    if (user.emailVerified) return { skip: 'already verified' };
    const token = await mintFor(user, 'email_verification', config.verificationTtlSec);
    return {
      to: user.email,
      subject: 'Confirm your email address',
      ...renderActionMail({
        greeting: `Hello ${user.firstName ?? user.username},`,
        intro: ['Please confirm that this is your email address.'],
        actionLabel: 'Confirm email address',
        actionUrl: linkWith(config.verifyEmailUrl, token),
        outro: [
          `The link works once and expires in ${humanDuration(config.verificationTtlSec)}.`,
          'If you did not create an account, you can ignore this mail.',
        ],
      }),
    };
  };

  const reset: MailComposer = async (row) => {
    const user = await activeUser(row);
    if (!user) return { skip: 'account closed' };
    const token = await mintFor(user, 'password_reset', config.resetTtlSec);
    return {
      to: user.email,
      subject: 'Reset your password',
      ...renderActionMail({
        greeting: `Hello ${user.firstName ?? user.username},`,
        intro: ['Someone (hopefully you) asked to reset the password of your account.'],
        actionLabel: 'Choose a new password',
        actionUrl: linkWith(config.resetPasswordUrl, token),
        outro: [
          `The link works once and expires in ${humanDuration(config.resetTtlSec)}. Resetting signs you out everywhere.`,
          'If you did not ask for this, ignore this mail: your password stays as it is.',
        ],
      }),
    };
  };

  return {
    enqueueVerification: (user: User, db?: Db) => mails.enqueue({ template: VERIFICATION_MAIL, userId: user.id }, db),
    enqueueReset: (user: User, db?: Db) => mails.enqueue({ template: RESET_MAIL, userId: user.id }, db),
    composers: { [VERIFICATION_MAIL]: verification, [RESET_MAIL]: reset } as Record<string, MailComposer>,
  };
}

export type AccountMails = ReturnType<typeof createAccountMails>;
