import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MailStore, ReceivedMail } from './mail-store.js';

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** Escapes first, then turns the (already escaped) URLs into links: no markup from a mail survives. */
const linkify = (escaped: string) => escaped.replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);

function page(mails: ReceivedMail[]): string {
  const items = [...mails]
    .reverse()
    .map(
      (m) => `<article>
  <h2>${escapeHtml(m.subject || '(no subject)')}</h2>
  <p class="meta">#${m.id} · ${escapeHtml(m.receivedAt)} · from ${escapeHtml(m.from)} · to ${escapeHtml(m.envelope.to.join(', '))}
   · <a href="/api/mails/${m.id}">json</a>${m.html ? ` · <a href="/mails/${m.id}/html">html</a>` : ''}</p>
  <pre>${linkify(escapeHtml(m.text))}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dev-mail (${mails.length})</title>
<meta http-equiv="refresh" content="5">
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}article{border-top:1px solid #ccc;padding:.5rem 0}
h2{font-size:1.1rem;margin:.3rem 0}.meta{color:#555;margin:0}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}</style>
</head><body><h1>dev-mail: ${mails.length} message(s)</h1>
<p>Every mail sent to this SMTP server, newest first. JSON: <a href="/api/mails">/api/mails</a>. Refreshes every 5 s.</p>
${items || '<p>No mail yet.</p>'}
</body></html>`;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

/** The read side: an HTML page for people, JSON for scripts and tests. */
export function mailWebHandler(store: MailStore) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dev-mail.invalid');
    const path = url.pathname;
    const one = /^\/(api\/mails|mails)\/(\d+)(\/html)?$/.exec(path);

    if (req.method === 'GET' && path === '/') {
      // The page shows other people's text: no scripts may run on it.
      return send(res, 200, 'text/html; charset=utf-8', page(store.list()), { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    }
    if (req.method === 'GET' && path === '/api/mails') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const list = store.list().filter((m) => !to || m.envelope.to.some((a) => a.toLowerCase() === to));
      return json(res, 200, { items: list });
    }
    if (req.method === 'DELETE' && path === '/api/mails') {
      store.clear();
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && one) {
      const mail = store.get(Number(one[2]));
      if (!mail) return json(res, 404, { error: 'no such mail' });
      if (!one[3]) return json(res, 200, mail);
      // A mail's own HTML, sandboxed: no scripts, no requests out (tracking pixels stay dark).
      return send(res, 200, 'text/html; charset=utf-8', mail.html, { 'content-security-policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'" });
    }
    return json(res, 404, { error: 'not found' });
  };
}
