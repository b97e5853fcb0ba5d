import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { mfaChallengeSchema } from '../mfa/mfa.schemas.js';
import { userSchema } from '../users/users.schemas.js';
import type { DeviceInfo } from '../sessions/sessions.service.js';
import { tokensSchema } from '../sessions/sessions.schemas.js';
import type { AuthService } from './auth.service.js';
import { loginBody, refreshBody, registerBody, verifyTokenBody, verifyTokenResponse } from './auth.schemas.js';
import { errorCodes } from '../../errors.js';

export interface AuthRoutesOptions {
  auth: AuthService;
  verifyToken: (token: string) => Promise<z.infer<typeof verifyTokenResponse>['claims']>;
  limits: { loginMax: number; registerMax: number; refreshMax: number; windowSec: number };
}

const device = (request: FastifyRequest): DeviceInfo => ({
  ip: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '',
});

const bearer = [{ bearerAuth: [] }];

function requireAuth(request: FastifyRequest) {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}

export function authRoutes(opts: AuthRoutesOptions) {
  const { auth } = opts;
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
        schema: {
          tags: ['auth'],
          operationId: 'login',
          security: [],
          errors: errorCodes('INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED'),
          summary: 'Log in with email or username',
          body: loginBody,
          description: 'A user with MFA on gets `{ mfaRequired, mfaToken, methods }` instead of tokens: finish at POST /v1/auth/mfa/verify.',
          response: { 200: z.union([tokensSchema, mfaChallengeSchema]) },
        },
      },
      async (request) => auth.login(request.body.identifier, request.body.password, device(request)),
    );

    app.post(
      '/refresh',
      {
        config: limit(opts.limits.refreshMax),
        schema: {
          tags: ['auth'],
          operationId: 'refresh',
          security: [],
          errors: errorCodes('REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED'),
          summary: 'Rotate a refresh token into a new token pair',
          description:
            'The old refresh token dies and a new pair is issued for the same session. Concurrent refreshes with one token (browser tabs) within REFRESH_REUSE_GRACE (default 10 s) of its rotation all get the same new refresh token; a rotated token presented after that revokes the whole session (REFRESH_TOKEN_REUSED). A 503 leaves the token valid: retry with it.',
          body: refreshBody,
          response: { 200: tokensSchema },
        },
      },
      async (request) => auth.refresh(request.body.refreshToken),
    );

    app.post(
      '/logout',
      {
        preHandler: app.authenticate,
        schema: { tags: ['auth'], operationId: 'logout', summary: 'Revoke the current session', security: bearer, response: { 204: z.null() } },
      },
      async (request, reply) => {
        const { userId, sessionId } = requireAuth(request);
        await auth.logout(userId, sessionId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/logout-all',
      {
        preHandler: app.authenticate,
        schema: { tags: ['auth'], operationId: 'logoutAll', summary: 'Revoke every session of the user', security: bearer, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await auth.logoutAll(requireAuth(request).userId);
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
