import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createMailStore } from './mail-store.js';
import type { ReceivedMail } from './mail-store.js';
import { mailWebHandler } from './web.js';

export interface MailServerOptions {
  /** Interface to bind; loopback by default so the dev inbox is never on the network. */
  host?: string;
  /** SMTP port; 0 picks a free one (tests). */
  smtpPort?: number;
  /** Port of the web page and JSON API; 0 picks a free one; false for none. */
  httpPort?: number | false;
  maxMessages?: number;
}

export interface MailServer {
  host: string;
  smtpPort: number;
  httpPort: number | undefined;
  /** `smtp://host:port`, ready for SMTP_URL. */
  smtpUrl: string;
  mails(): ReceivedMail[];
  /** All mail whose envelope goes to `address` (case-insensitive). */
  mailsTo(address: string): ReceivedMail[];
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** The first mail to `address` (case-insensitive), already received or still to come. */
  waitForMailTo(address: string, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  /**
   * Answers the next `count` messages with a temporary failure (SMTP 451), as a real server
   * does when it is overloaded: lets tests prove that senders retry.
   */
  failNext(count: number): void;
  close(): Promise<void>;
}

function listening(server: { once(e: 'listening' | 'error', cb: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (err) => reject(err));
  });
}

/** A real SMTP server (nodemailer's smtp-server) that keeps what it receives. */
export async function startMailServer(opts: MailServerOptions = {}): Promise<MailServer> {
  const host = opts.host ?? '127.0.0.1';
  const store = createMailStore(opts.maxMessages ?? 500);
  let failures = 0;
  // Addresses compare case-insensitively: SMTP clients may normalise the domain part.
  const isTo = (address: string) => (m: ReceivedMail) => m.envelope.to.some((a) => a.toLowerCase() === address.toLowerCase());

  const smtp = new SMTPServer({
    logger: false,
    banner: 'authmeet dev-mail',
    // Plain SMTP on loopback: without STARTTLS the client never tries the self-signed upgrade.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    // Any credentials are accepted, so an SMTP_URL with user:password works unchanged in dev.
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'dev' }),
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      if (failures > 0) {
        failures -= 1;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((parsed) => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          store.add(parsed, { from, to: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  // smtp-server re-emits socket errors (a client hanging up mid-session, a taken port) on
  // itself; unhandled they would crash the process. Until listening, they fail the start.
  let onStartError: ((err: Error) => void) | undefined;
  smtp.on('error', (err: Error) => onStartError?.(err));
  await new Promise<void>((resolve, reject) => {
    onStartError = reject;
    smtp.listen(opts.smtpPort ?? 0, host, () => resolve());
  });
  onStartError = undefined;
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let http: HttpServer | undefined;
  if (opts.httpPort !== false) {
    http = createServer(mailWebHandler(store));
    http.listen(opts.httpPort ?? 0, host);
    await listening(http);
  }
  const httpPort = http ? (http.address() as AddressInfo).port : undefined;

  return {
    host,
    smtpPort,
    httpPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    mails: store.list,
    mailsTo: (address) => store.list().filter(isTo(address)),
    waitFor: store.waitFor,
    waitForMailTo: (address, timeoutMs) => store.waitFor(isTo(address), timeoutMs),
    clear: store.clear,
    failNext(count) {
      failures = count;
    },
    async close() {
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        http
          ? new Promise<void>((resolve) => {
              http.close(() => resolve());
              http.closeAllConnections();
            })
          : Promise.resolve(),
      ]);
    },
  };
}
