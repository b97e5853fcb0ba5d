/** Shared look of account mails: a plain-text body and an equivalent, escaped HTML body. */

export interface ActionMail {
  greeting: string;
  /** Paragraphs before the button. */
  intro: string[];
  actionLabel: string;
  actionUrl: string;
  /** Paragraphs after it (expiry, "ignore this if it was not you"). */
  outro: string[];
}

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

export function renderActionMail(mail: ActionMail): { text: string; html: string } {
  const text = [mail.greeting, '', ...mail.intro, '', `${mail.actionLabel}: ${mail.actionUrl}`, '', ...mail.outro].join('\n');
  const p = (s: string) => `<p style="margin:0 0 16px">${escapeHtml(s)}</p>`;
  const url = escapeHtml(mail.actionUrl);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(mail.actionLabel)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px">
${p(mail.greeting)}
${mail.intro.map(p).join('\n')}
<p style="margin:24px 0"><a href="${url}" style="background:#1a56db;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(mail.actionLabel)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#555">Or paste this link into your browser:<br><a href="${url}">${url}</a></p>
${mail.outro.map(p).join('\n')}
</body></html>`;
  return { text, html };
}

/** 3600 → "1 hour", 86400 → "24 hours", 900 → "15 minutes". */
export function humanDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}
