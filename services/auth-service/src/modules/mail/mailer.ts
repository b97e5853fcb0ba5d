import type { Transporter } from 'nodemailer';
import { onFirstUse } from '../../on-first-use.js';
import type { MailRow } from './mail.repository.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Turns a queued row into a mail at send time, or `{ skip }` when there is nothing left to send
 * (the user verified meanwhile, the account is gone). Composing late lets one-time tokens be
 * minted here, so a secret never waits in the queue table.
 */
export type MailComposer = (row: MailRow) => Promise<OutgoingMail | { skip: string }>;

export interface MailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; nodemailer upgrades smtp:// with STARTTLS when offered. */
  smtpUrl: string;
  from: string;
  timeoutMs: number;
}

/**
 * SMTP through nodemailer: one connection per message, so a server restart needs no reconnect logic.
 * nodemailer loads with the first mail, not with the app: ~3 MB of heap a replica that sends no
 * mail would hold for nothing.
 */
export function createMailer(opts: MailerOptions) {
  const connect = onFirstUse<Transporter>(() =>
    import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: opts.smtpUrl,
        connectionTimeout: opts.timeoutMs,
        greetingTimeout: opts.timeoutMs,
        socketTimeout: opts.timeoutMs,
      }),
    ),
  );
  return {
    async send(mail: OutgoingMail): Promise<void> {
      await (await connect()).sendMail({ from: opts.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => void connect.ifStarted((t) => t.close()),
  };
}

export type Mailer = ReturnType<typeof createMailer>;
