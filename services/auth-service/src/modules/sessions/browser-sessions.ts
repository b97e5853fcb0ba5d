import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../../errors.js';
import type { TokenPair } from './sessions.service.js';

/**
 * Browser sessions in cookie mode (api.md "Browser sessions"): the refresh token lives in an
 * `HttpOnly; Secure; SameSite=Strict` cookie scoped to the auth routes, so a page reload keeps
 * the user signed in while no script (an injected one included) can read the token.
 *
 * The cookie is an ambient credential: the browser attaches it by itself. So everything that
 * uses it (setting it on a login, reading it on refresh and logout) is refused unless the
 * request's `Origin` is an allowed browser origin: a page of another site can neither refresh
 * (and read the access token through a CORS misconfiguration) nor log the user out.
 * SameSite=Strict already keeps the cookie off cross-site requests; the Origin check does not
 * rely on it (older browsers, same-site but foreign origins, sibling subdomains).
 *
 * `Secure` is always set: browsers accept Secure cookies on http://localhost, so development
 * over the ingress works as production does.
 */
export const REFRESH_COOKIE = 'am_refresh';
export const REFRESH_COOKIE_PATH = '/v1/auth';

/** What the routes that accept `"cookie": true` say about it in the API reference. */
export const COOKIE_MODE_DOC =
  ' With `"cookie": true` (browsers, from an allowed `Origin` only, else 403 `ORIGIN_NOT_ALLOWED`) the refresh token is set as the ' +
  `\`${REFRESH_COOKIE}\` cookie (\`HttpOnly; Secure; SameSite=Strict; Path=${REFRESH_COOKIE_PATH}\`, \`Max-Age\` = \`refreshExpiresIn\`) and is not in the body.`;

const LOOPBACK_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export interface BrowserSessionsOptions {
  /** Exact origins (scheme://host[:port]) whose requests may use cookie mode. */
  origins: readonly string[];
  /** Also any http loopback origin (development only). */
  allowLoopback: boolean;
}

const cookieAttributes: CookieSerializeOptions = { path: REFRESH_COOKIE_PATH, httpOnly: true, secure: true, sameSite: 'strict' };

/** A refresh answer without the refresh token: in cookie mode it travels only in the cookie. */
export type CookieTokenPair = Omit<TokenPair, 'refreshToken'> & { refreshToken?: string };

/** The number of cookies named `name` in a Cookie header (a browser sends each name once per path). */
function countCookies(header: string | undefined, name: string): number {
  if (header === undefined) return 0;
  let n = 0;
  for (const part of header.split(';')) if (part.trim().split('=')[0] === name) n += 1;
  return n;
}

const isTokenPair = (result: object): result is TokenPair => 'refreshToken' in result;

export function createBrowserSessions(opts: BrowserSessionsOptions) {
  const allowed = new Set(opts.origins);

  const isAllowedOrigin = (origin: string | undefined): boolean =>
    origin !== undefined && (allowed.has(origin) || (opts.allowLoopback && LOOPBACK_ORIGIN.test(origin)));

  const originOf = (request: FastifyRequest): string | undefined => (typeof request.headers.origin === 'string' ? request.headers.origin : undefined);

  function assertBrowserOrigin(request: FastifyRequest): void {
    const origin = originOf(request);
    if (!isAllowedOrigin(origin)) {
      throw appError('ORIGIN_NOT_ALLOWED', { detail: origin === undefined ? 'The request has no Origin header' : `Origin ${origin.slice(0, 100)} is not allowed` });
    }
  }

  /**
   * A login's or refresh's answer in the mode the client asked for: in cookie mode the refresh
   * token goes into the cookie, living exactly as long as the token, and out of the body. Other
   * answers (an MFA challenge) pass unchanged.
   */
  function deliver(reply: FastifyReply, result: TokenPair, cookieMode: boolean | undefined): CookieTokenPair;
  function deliver<C extends object>(reply: FastifyReply, result: TokenPair | C, cookieMode: boolean | undefined): CookieTokenPair | C;
  function deliver<C extends object>(reply: FastifyReply, result: TokenPair | C, cookieMode: boolean | undefined): CookieTokenPair | C {
    if (cookieMode !== true || !isTokenPair(result)) return result;
    const { refreshToken, ...rest } = result;
    void reply.setCookie(REFRESH_COOKIE, refreshToken, { ...cookieAttributes, maxAge: Math.max(rest.refreshExpiresIn, 0) });
    return rest;
  }

  return {
    isAllowedOrigin,
    assertBrowserOrigin,

    /** Whether the request carries the refresh cookie at all (however many, whatever value). */
    hasCookie: (request: FastifyRequest): boolean => countCookies(request.headers.cookie, REFRESH_COOKIE) > 0,

    /**
     * preHandler of the routes that accept `"cookie": true`: cookie mode from anywhere but an
     * allowed browser origin is refused before any credential is looked at.
     */
    async guard(request: FastifyRequest): Promise<void> {
      const body = request.body as { cookie?: unknown } | null | undefined;
      if (body?.cookie === true) assertBrowserOrigin(request);
    },

    /** Whether the request comes from an allowed browser origin. */
    fromAllowedOrigin: (request: FastifyRequest): boolean => isAllowedOrigin(originOf(request)),

    /**
     * The refresh token of the cookie. Two cookies of that name (one planted by a sibling
     * subdomain or an insecure page: "cookie tossing") are `ambiguous` and give no token: taking
     * the planted one would sign the user in to the attacker's session, so none is guessed at.
     */
    read(request: FastifyRequest): { token: string | undefined; ambiguous: boolean } {
      if (countCookies(request.headers.cookie, REFRESH_COOKIE) > 1) return { token: undefined, ambiguous: true };
      const value = request.server.parseCookie(request.headers.cookie ?? '')[REFRESH_COOKIE];
      return { token: value === undefined || value === '' ? undefined : value, ambiguous: false };
    },

    deliver,

    /** Tells the browser to forget the cookie (logout, or a session that is over). */
    clear(reply: FastifyReply): void {
      void reply.setCookie(REFRESH_COOKIE, '', { ...cookieAttributes, maxAge: 0, expires: new Date(0) });
    },
  };
}

export type BrowserSessions = ReturnType<typeof createBrowserSessions>;
