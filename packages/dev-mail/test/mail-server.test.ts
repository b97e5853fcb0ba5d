import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailServer } from '../src/index.js';
import type { MailServer } from '../src/index.js';

let server: MailServer;
beforeAll(async () => {
  server = await startMailServer({ smtpPort: 0, httpPort: 0 });
});
afterAll(async () => server.close());

const send = (to: string, extra: Record<string, string> = {}) =>
  nodemailer.createTransport({ url: server.smtpUrl }).sendMail({
    from: 'App <no-reply@app.test>',
    to,
    subject: 'Hello',
    text: 'Open https://app.test/verify?token=abc_123 to continue.',
    html: '<p>Open <a href="https://app.test/verify?token=abc_123">this</a><script>alert(1)</script></p>',
    ...extra,
  });

describe('dev-mail', () => {
  it('receives mail over SMTP and parses subject, bodies and links', async () => {
    await send('Ada@Example.com');
    const mail = await server.waitForMailTo('ada@example.com');
    expect(mail).toMatchObject({ subject: 'Hello', from: '"App" <no-reply@app.test>', links: ['https://app.test/verify?token=abc_123'] });
    expect(mail.html).toContain('<a href=');
    expect(server.mailsTo('ada@example.com')).toHaveLength(1);
  });

  it('waitFor resolves for mail that arrives later, and rejects after its timeout', async () => {
    const waiting = server.waitFor((m) => m.subject === 'Later', 3000);
    await send('later@example.com', { subject: 'Later' });
    expect((await waiting).subject).toBe('Later');
    await expect(server.waitFor((m) => m.subject === 'Never', 50)).rejects.toThrow(/no matching mail/);
  });

  it('can answer with a temporary failure so that senders must retry', async () => {
    server.failNext(1);
    await expect(send('retry@example.com')).rejects.toMatchObject({ responseCode: 451 });
    await send('retry@example.com');
    expect(server.mailsTo('retry@example.com')).toHaveLength(1);
  });

  it('serves the mail as JSON and as an escaped page with no scripts', async () => {
    const base = `http://${server.host}:${server.httpPort}`;
    const list = (await (await fetch(`${base}/api/mails?to=ada@example.com`)).json()) as { items: { id: number }[] };
    expect(list.items).toHaveLength(1);
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<a href="https://app.test/verify?token=abc_123">');
    expect(html).not.toContain('<script>');
    const raw = await fetch(`${base}/mails/${list.items[0]?.id}/html`);
    expect(raw.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect((await fetch(`${base}/api/mails/999999`)).status).toBe(404);
    expect((await fetch(`${base}/api/mails`, { method: 'DELETE' })).status).toBe(204);
    expect(server.mails()).toEqual([]);
  });
});
