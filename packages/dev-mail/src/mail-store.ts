import type { ParsedMail } from 'mailparser';

/** One received message, as tests and the web page see it. */
export interface ReceivedMail {
  id: number;
  receivedAt: string;
  /** SMTP envelope: who the client said it sends to and from (what actually routes mail). */
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Every http(s) link in the text body, in order: what a test "clicks". */
  links: string[];
}

type Waiter = { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void };

const LINK = /https?:\/\/[^\s<>"')\]]+/g;

const addressText = (value: ParsedMail['to'] | ParsedMail['from']) =>
  value === undefined ? '' : (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');

/** Received mail in memory, newest last, bounded so a long dev session cannot grow without limit. */
export function createMailStore(maxMessages: number) {
  let nextId = 1;
  let mails: ReceivedMail[] = [];
  let waiters: Waiter[] = [];

  return {
    add(parsed: ParsedMail, envelope: ReceivedMail['envelope']): ReceivedMail {
      const text = parsed.text ?? '';
      const mail: ReceivedMail = {
        id: nextId++,
        receivedAt: new Date().toISOString(),
        envelope,
        from: addressText(parsed.from),
        to: addressText(parsed.to),
        subject: parsed.subject ?? '',
        text,
        html: typeof parsed.html === 'string' ? parsed.html : '',
        links: text.match(LINK) ?? [],
      };
      mails.push(mail);
      if (mails.length > maxMessages) mails = mails.slice(mails.length - maxMessages);
      const matched = waiters.filter((w) => w.match(mail));
      waiters = waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(mail);
      return mail;
    },

    list: (): ReceivedMail[] => [...mails],
    get: (id: number) => mails.find((m) => m.id === id),
    clear() {
      mails = [];
    },

    /** The first mail (already received or still to come) that matches; rejects after `timeoutMs`. */
    waitFor(match: (m: ReceivedMail) => boolean, timeoutMs = 5000): Promise<ReceivedMail> {
      const existing = mails.find(match);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${mails.length} received)`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
  };
}

export type MailStore = ReturnType<typeof createMailStore>;
