import { z } from 'zod';

/**
 * Text that people type and other people read. Control characters have no business in a name,
 * a title or an email: NUL is refused by Postgres (22021, once a 500 after an argon2 hash),
 * the others split log lines, break terminals and CSV exports, or hide text. Bidi formatting
 * characters reorder what a reader sees ("Trojan Source"): a name could display as someone
 * else's, so names, titles and usernames refuse them too.
 *
 * The patterns are written as "no such character anywhere", so they land in the OpenAPI
 * document as JSON Schema `pattern`s, and each check runs on the raw input, before any trim:
 * `"Ada\n"` is refused rather than silently repaired.
 */

/** C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F). */
const NO_CONTROL = /^[^\u0000-\u001F\u007F-\u009F]*$/;
/** The same, but tab, line feed and carriage return are allowed (free text has paragraphs). */
const NO_CONTROL_EXCEPT_LINE_BREAKS = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/;
/**
 * Every bidi formatting character: embeddings and overrides (U+202A–U+202E), isolates
 * (U+2066–U+2069) and the invisible direction marks (U+200E, U+200F, U+061C), which render as
 * nothing and would let two names that look the same differ.
 */
const NO_BIDI = /^[^\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$/;
/**
 * Only embeddings and overrides, the characters that reorder text beyond their own run. Free
 * text keeps isolates and marks, which mixed right-to-left and left-to-right prose needs.
 */
const NO_BIDI_OVERRIDE = /^[^\u202A-\u202E]*$/;

const CONTROL_MESSAGE = 'must not contain control characters';
const BIDI_MESSAGE = 'must not contain bidirectional formatting characters';

/**
 * How strict a text field is:
 * - `name`: names, titles, usernames, emails, login identifiers: one line, no control and no
 *   bidi formatting characters;
 * - `line`: one line, no control characters, bidi left to the source (a copy of text another
 *   service already accepted under its own rules, which must not be refused after the fact);
 * - `multiline`: free text such as a description: tab and line breaks allowed, no other
 *   control characters, no bidi embeddings or overrides.
 */
export type TextKind = 'name' | 'line' | 'multiline';

/** A `z.string()` that refuses what `kind` forbids; chain `.trim()`, `.max()` etc. after it. */
export function safeText(kind: TextKind = 'name') {
  if (kind === 'multiline') {
    return z.string().regex(NO_CONTROL_EXCEPT_LINE_BREAKS, CONTROL_MESSAGE).regex(NO_BIDI_OVERRIDE, BIDI_MESSAGE);
  }
  const base = z.string().regex(NO_CONTROL, CONTROL_MESSAGE);
  return kind === 'name' ? base.regex(NO_BIDI, BIDI_MESSAGE) : base;
}

