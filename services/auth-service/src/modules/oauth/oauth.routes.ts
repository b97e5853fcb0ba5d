import type { HttpApp } from '@authmeet/http-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { mfaChallengeSchema } from '../mfa/mfa.schemas.js';
import { COOKIE_MODE_DOC } from '../sessions/browser-sessions.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import { tokensSchema } from '../sessions/sessions.schemas.js';
import type { OAuthService } from './oauth.service.js';
import { callbackQuery, exchangeBody, redirectResponse, startQuery } from './oauth.schemas.js';
import { errorCodes } from '../../errors.js';

export interface OAuthRoutesOptions {
  oauth: OAuthService;
  /** Cookie mode for browsers (api.md "Browser sessions"). */
  browser: BrowserSessions;
  /** The binding cookie is Secure when the callback is served over https. */
  secureCookie: boolean;
  stateTtlSec: number;
  limits: { accountMax: number; windowSec: number };
}

/** Scoped to the Google routes: sent back on the callback, nowhere else. */
const COOKIE = 'am_oauth_binding';
const COOKIE_PATH = '/v1/auth/oauth/google';

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The query string exactly as received: state, code and iss are checked by openid-client. */
function rawQuery(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
}

export function oauthRoutes(opts: OAuthRoutesOptions) {
  const { oauth } = opts;
  const limit = { rateLimit: { max: opts.limits.accountMax, timeWindow: opts.limits.windowSec * 1000 } };

  const cookie = (value: string, maxAgeSec: number) =>
    // SameSite=Lax: sent on the provider's top-level redirect back, not on cross-site subrequests.
    `${COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Lax${opts.secureCookie ? '; Secure' : ''}`;

  const redirect = (reply: FastifyReply, location: string) =>
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(location, 302);

  return async function routes(app: HttpApp) {
    app.get(
      '/google/start',
      {
        config: limit,
        schema: {
          tags: ['oauth'],
          operationId: 'startGoogleSignIn',
          security: [],
          errors: errorCodes('NOT_FOUND'),
          summary: 'Start "Sign in with Google"',
          description:
            'Redirects the browser to Google (authorization code flow with PKCE, `state` and `nonce`) and sets a short-lived ' +
            'cookie that binds the flow to this browser. Open it as a top-level navigation, on the same host as the callback.',
          querystring: startQuery,
          response: { 302: redirectResponse },
        },
      },
      async (request, reply) => {
        const { location, binding } = await oauth.start(request.query.redirectTo);
        reply.header('set-cookie', cookie(binding, opts.stateTtlSec));
        return redirect(reply, location);
      },
    );

    app.get(
      '/google/callback',
      {
        config: limit,
        // The query carries the provider's authorization code and our state: keep them out of logs.
        logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: `${req.url.split('?')[0] ?? ''}?[redacted]`, remoteAddress: req.ip }) },
        schema: {
          tags: ['oauth'],
          operationId: 'finishGoogleSignIn',
          security: [],
          errors: errorCodes('TOKEN_INVALID_INPUT', 'NOT_FOUND'),
          summary: 'Google redirects here',
          description:
            'Validates state (and its browser cookie), PKCE, nonce and the ID token, then finds the user by Google subject, ' +
            'links an existing account only when Google asserts `email_verified`, or creates one. Redirects to redirectTo with ' +
            '`?code=` (one-time, 60 s; swap it at POST /v1/auth/oauth/exchange) or `?error=` with one of `TOKEN_INVALID` ' +
            '(state, nonce, code or ID token refused), `FORBIDDEN` (the user declined), `EMAIL_TAKEN` (an account has the ' +
            'address and Google has not verified it: not merged), `ACCOUNT_DISABLED`, `EMAIL_NOT_VERIFIED`, `DEPENDENCY_UNAVAILABLE`. ' +
            'An unknown or used `state` is a 400 problem, since no trusted redirect target is known.',
          querystring: callbackQuery,
          response: { 302: redirectResponse },
        },
      },
      async (request, reply) => {
        const location = await oauth.callback(rawQuery(request), readCookie(request, COOKIE));
        reply.header('set-cookie', cookie('', 0));
        return redirect(reply, location);
      },
    );

    app.post(
      '/exchange',
      {
        config: limit,
        preHandler: opts.browser.guard,
        schema: {
          tags: ['oauth'],
          operationId: 'exchangeSignInCode',
          security: [],
          errors: errorCodes('TOKEN_INVALID_INPUT', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'ORIGIN_NOT_ALLOWED'),
          summary: 'Swap the one-time sign-in code for tokens',
          description: 'The code works once, within 60 s of the redirect; otherwise `TOKEN_INVALID` (400).' + COOKIE_MODE_DOC,
          body: exchangeBody,
          response: { 200: z.union([tokensSchema, mfaChallengeSchema]) },
        },
      },
      async (request, reply) => {
        const userAgent = typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '';
        return opts.browser.deliver(reply, await oauth.exchange(request.body.code, { ip: request.ip, userAgent }), request.body.cookie);
      },
    );
  };
}
