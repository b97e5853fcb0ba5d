import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { mfaChallengeSchema } from '../mfa/mfa.schemas.js';
import { userSchema } from '../users/users.schemas.js';
import { COOKIE_MODE_DOC } from '../sessions/browser-sessions.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import type { DeviceInfo } from '../sessions/sessions.service.js';
import { tokensSchema } from '../sessions/sessions.schemas.js';
import type { AuthService } from './auth.service.js';
import { loginBody, refreshBody, registerBody, verifyTokenBody, verifyTokenResponse } from './auth.schemas.js';
import { appError, errorCodes } from '../../errors.js';

export interface AuthRoutesOptions {
  auth: AuthService;
  /** Cookie mode for browsers (api.md "Browser sessions"). */
  browser: BrowserSessions;
  verifyToken: (token: string) => Promise<z.infer<typeof verifyTokenResponse>['claims']>;
  limits: { loginMax: number; registerMax: number; refreshMax: number; windowSec: number };
}

const device = (request: FastifyRequest): DeviceInfo => ({
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '',
});

const bearer = [{ bearerAuth: [] }];

/** Refusals after which the cookie's session is over for good: the browser should forget it. */
const SESSION_OVER = new Set(['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED']);

function requireAuth(request: FastifyRequest) {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}

export function authRoutes(opts: AuthRoutesOptions) {
  const { auth, browser } = opts;

  /** Refresh from the cookie: its successor goes back into it; a session that is over clears it. */
  async function refreshFromCookie(request: FastifyRequest, reply: FastifyReply) {
    const { token, ambiguous } = browser.read(request);
    // A second cookie of the name is never guessed between, nor cleared (which would leave the planted one).
    if (ambiguous) throw appError('REFRESH_TOKEN_INVALID', { detail: 'More than one refresh cookie was sent' });
    if (token === undefined) throw appError('REFRESH_TOKEN_INVALID', { detail: 'No refresh cookie' });
    try {
      return browser.deliver(reply, await auth.refresh(token), true);
    } catch (error) {
      // A 503 leaves the token valid (the client retries with it); these end the session.
      if (error instanceof AppError && SESSION_OVER.has(error.code)) browser.clear(reply);
      throw error;
    }
  }

  const limit = (max: number) => ({ rateLimit: { max, timeWindow: opts.limits.windowSec * 1000 } });

  return async function routes(app: HttpApp) {
    app.post(
      '/register',
      {
        config: limit(opts.limits.registerMax),
        schema: {
          tags: ['auth'],
          operationId: 'register',
          security: [],
          errors: errorCodes('EMAIL_TAKEN', 'USERNAME_TAKEN'),
          summary: 'Create an account',
          body: registerBody,
          response: { 201: z.object({ user: userSchema }) },
        },
      },
      async (request, reply) => reply.code(201).send({ user: await auth.register(request.body) }),
    );

    app.post(
      '/login',
      {
        config: limit(opts.limits.loginMax),
        preHandler: browser.guard,
        schema: {
          tags: ['auth'],
          operationId: 'login',
          security: [],
          errors: errorCodes('INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'ORIGIN_NOT_ALLOWED'),
          summary: 'Log in with email or username',
          body: loginBody,
          description:
            'A user with MFA on gets `{ mfaRequired, mfaToken, methods }` instead of tokens: finish at POST /v1/auth/mfa/verify ' +
            '(with `"cookie": true` again for cookie mode).' +
            COOKIE_MODE_DOC,
          response: { 200: z.union([tokensSchema, mfaChallengeSchema]) },
        },
      },
      async (request, reply) => browser.deliver(reply, await auth.login(request.body.identifier, request.body.password, device(request)), request.body.cookie),
    );

    app.post(
      '/refresh',
      {
        config: limit(opts.limits.refreshMax),
        preHandler: browser.guard,
        schema: {
          tags: ['auth'],
          operationId: 'refresh',
          security: [],
          errors: errorCodes('REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED', 'ORIGIN_NOT_ALLOWED'),
          summary: 'Rotate a refresh token into a new token pair',
          description:
            'The old refresh token dies and a new pair is issued for the same session. Concurrent refreshes with one token (browser tabs) within REFRESH_REUSE_GRACE (default 10 s) of its rotation all get the same new refresh token; a rotated token presented after that revokes the whole session (REFRESH_TOKEN_REUSED). A 503 leaves the token valid: retry with it.' +
            ' Body `{ refreshToken }`, or `{ "cookie": true }` to use the `am_refresh` cookie (browsers, allowed `Origin` only, else 403 ' +
            '`ORIGIN_NOT_ALLOWED`): the successor is then set in the cookie, not answered; a refusal that ends the session also clears the cookie.',
          body: refreshBody,
          response: { 200: tokensSchema },
        },
      },
      async (request, reply) => {
        if (request.body.cookie === true) return refreshFromCookie(request, reply);
        return auth.refresh(request.body.refreshToken ?? '');
      },
    );

    app.post(
      '/logout',
      {
        // The Bearer token when one is sent (or nothing else is); otherwise the refresh cookie,
        // which only an allowed browser origin may use.
        preHandler: async (request) => {
          if (request.headers.authorization !== undefined || !browser.hasCookie(request)) await app.authenticate(request);
          else browser.assertBrowserOrigin(request);
        },
        schema: {
          tags: ['auth'],
          operationId: 'logout',
          errors: errorCodes('ORIGIN_NOT_ALLOWED', 'REFRESH_TOKEN_INVALID'),
          summary: 'Revoke the current session',
          description:
            'The Bearer token’s session, and the session of the `am_refresh` cookie (cookie mode) when the request carries it from an ' +
            'allowed `Origin`; the cookie is then cleared. Without a Bearer token the cookie alone logs out (403 `ORIGIN_NOT_ALLOWED` from ' +
            'any other origin); a cookie naming no live session is just cleared.',
          security: bearer,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const ended = new Map<string, string>();
        if (request.auth) ended.set(request.auth.sessionId, request.auth.userId);
        const cookie = browser.hasCookie(request) && browser.fromAllowedOrigin(request) ? browser.read(request) : undefined;
        // Two cookies: neither is trusted to name a session, nor cleared (the planted one would stay).
        if (cookie?.ambiguous && !request.auth) throw appError('REFRESH_TOKEN_INVALID', { detail: 'More than one refresh cookie was sent' });
        const named = cookie?.token === undefined ? undefined : await auth.sessionOfRefreshToken(cookie.token);
        if (named) ended.set(named.sessionId, named.userId);
        for (const [sessionId, userId] of ended) await auth.logout(userId, sessionId);
        // Only once the sessions are over: a failure leaves the browser its cookie to retry with.
        if (cookie && !cookie.ambiguous) browser.clear(reply);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/logout-all',
      {
        preHandler: app.authenticate,
        schema: {
          tags: ['auth'],
          operationId: 'logoutAll',
          summary: 'Revoke every session of the user',
          description: 'From an allowed browser origin, also clears the `am_refresh` cookie (cookie mode).',
          security: bearer,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await auth.logoutAll(requireAuth(request).userId);
        if (browser.hasCookie(request) && browser.fromAllowedOrigin(request) && !browser.read(request).ambiguous) browser.clear(reply);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/verify-token',
      {
        schema: {
          tags: ['auth'],
          operationId: 'verifyToken',
          security: [],
          errors: errorCodes('TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_REVOKED'),
          summary: 'Check an access token: signature, expiry, issuer, audience, revocation',
          body: verifyTokenBody,
          response: { 200: verifyTokenResponse },
        },
      },
      async (request) => {
        const claims = await opts.verifyToken(request.body.token);
        return { valid: true as const, claims, user: await auth.verifiedUser(claims.sub) };
      },
    );
  };
}
