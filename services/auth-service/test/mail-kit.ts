import { createHash } from 'node:crypto';
import { startMailServer } from '@authmeet/dev-mail';
import type { MailServer, ReceivedMail } from '@authmeet/dev-mail';
import { expect } from 'vitest';
import { startAuthService } from './test-app.js';
import type { TestContext } from './test-app.js';

export const APP = 'https://app.example.com';

/** The worker on, fast, and pointed at `smtpUrl`. */
export const mailEnv = (smtpUrl: string, env: Record<string, string> = {}) => ({
  SMTP_URL: smtpUrl,
  MAIL_FROM: '"authmeet" <no-reply@authmeet.test>',
  MAIL_WORKER_ENABLED: 'true',
  MAIL_POLL_MS: '50',
  MAIL_MAX_BACKOFF_MS: '200',
  MAIL_SEND_TIMEOUT_MS: '2000',
  ...env,
});

export interface MailContext {
  ctx: TestContext;
  smtp: MailServer;
  close(): Promise<void>;
}

/** An auth-service whose mail goes to its own in-process SMTP server (dev-mail). */
export async function startWithMail(env: Record<string, string> = {}): Promise<MailContext> {
  const smtp = await startMailServer({ smtpPort: 0, httpPort: false });
  const ctx = await startAuthService(mailEnv(smtp.smtpUrl, env));
  return {
    ctx,
    smtp,
    async close() {
      await ctx.close();
      await smtp.close();
    },
  };
}

/** The token of the link in a mail, after checking the link points at the web app page. */
export function tokenFrom(mail: ReceivedMail, page: '/verify-email' | '/reset-password'): string {
  const link = mail.links.find((l) => l.startsWith(`${APP}${page}?`));
  expect(link, mail.text).toBeDefined();
  const token = new URL(String(link)).searchParams.get('token');
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(mail.html).toContain(`href="${String(link).replaceAll('&', '&amp;')}"`);
  return String(token);
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
