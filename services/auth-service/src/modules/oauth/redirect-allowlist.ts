/**
 * Where the OAuth callback may send a browser (with a one-time code, or an error). An open
 * redirect here would hand sign-in codes to an attacker's site, so the check is strict:
 *
 * - Entries are parsed once: an origin (`https://app.example.com`: any path on it) or a URL
 *   prefix (`https://app.example.com/auth`: that path and below, at a "/" boundary, so
 *   `/authx` does not match `/auth`).
 * - A target must parse on its own as an absolute http(s) URL (no base: `//evil.com` and
 *   `/path` are refused), with no credentials (`https://app@evil.com`), no whitespace,
 *   control characters or backslashes (parsers disagree about them), and no encoded slash or
 *   backslash in the path. Its origin (scheme, host and port, normalised by the WHATWG parser
 *   as browsers do) must equal the entry's, and its normalised path (dot segments resolved)
 *   must sit under the prefix.
 * - What is used afterwards is the parsed URL's own serialisation, never the raw input.
 */

interface Entry {
  origin: string;
  /** The path a target must equal or sit below (`/` for an origin entry: any path). */
  prefix: string;
}

const MAX_TARGET_LENGTH = 2048;
const FORBIDDEN_CHARS = /[\s\\\u0000-\u001f\u007f]/;
const ENCODED_SEPARATOR = /%2f|%5c/i;

function parseAbsolute(raw: string): URL | undefined {
  // An empty string needs no check of its own: `new URL('')` throws below.
  if (raw.length > MAX_TARGET_LENGTH || FORBIDDEN_CHARS.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  // Stryker disable next-line ConditionalExpression,StringLiteral: WHATWG never yields an http(s) URL without a host; kept in case the scheme list grows
  if (url.hostname === '') return undefined;
  return url;
}

function parseEntry(raw: string): Entry | string {
  const url = parseAbsolute(raw.trim());
  if (!url) return 'is not an absolute http(s) URL without credentials';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  if (ENCODED_SEPARATOR.test(url.pathname)) return 'must not contain encoded slashes';
  return { origin: url.origin, prefix: url.pathname };
}

/** Why a configured entry is unusable, or undefined when it is fine (config validation). */
export function allowlistEntryProblem(raw: string): string | undefined {
  const parsed = parseEntry(raw);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** Prefix `/` (an origin entry) admits every path, since every http(s) path starts with `/`. */
const underPrefix = (path: string, prefix: string) =>
  path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

export function createRedirectAllowlist(entries: string[]) {
  // Stryker disable next-line MethodExpression,ConditionalExpression,StringLiteral: a problem string has no origin and could never match; the filter is for the types
  const parsed = entries.map(parseEntry).filter((e): e is Entry => typeof e !== 'string');
  return {
    /** The normalised target when it is allowed, else undefined. */
    check(raw: string): URL | undefined {
      const url = parseAbsolute(raw);
      if (!url || ENCODED_SEPARATOR.test(url.pathname)) return undefined;
      return parsed.some((e) => e.origin === url.origin && underPrefix(url.pathname, e.prefix)) ? url : undefined;
    },
  };
}

export type RedirectAllowlist = ReturnType<typeof createRedirectAllowlist>;
