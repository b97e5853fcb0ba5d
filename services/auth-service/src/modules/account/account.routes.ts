import type {} from '@fastify/rate-limit'; // route `config.rateLimit` typing, also in builds against http-kit's d.ts
import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';
import type { AccountService } from './account.service.js';
import { acceptedSchema, changePasswordBody, forgotPasswordBody, resetPasswordBody, verifyEmailBody } from './account.schemas.js';
import { errorCodes } from '../../errors.js';

export interface AccountRoutesOptions {
  account: AccountService;
  /** Per client IP and window: `forgot` gets its own, stricter limit. */
  limits: { forgotMax: number; accountMax: number; windowSec: number };
}

const bearer = [{ bearerAuth: [] }];
const accepted = { status: 'accepted' as const };

function requireAuth(request: FastifyRequest) {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}

export function accountRoutes(opts: AccountRoutesOptions) {
  const { account } = opts;
  const limit = (max: number) => ({ rateLimit: { max, timeWindow: opts.limits.windowSec * 1000 } });

  return async function routes(app: HttpApp) {
    app.post(
      '/email/verify',
      {
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['account'],
          operationId: 'verifyEmail',
          security: [],
          errors: errorCodes('TOKEN_INVALID_INPUT'),
          summary: 'Confirm an email address with the token from the verification mail',
          description: 'The token works once and for EMAIL_VERIFICATION_TTL (24 h). A used, expired or unknown token is `TOKEN_INVALID` (400).',
          body: verifyEmailBody,
          response: { 200: userSchema },
        },
      },
      async (request) => account.verifyEmail(request.body.token),
    );

    app.post(
      '/email/resend',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['account'],
          operationId: 'resendVerificationEmail',
          summary: 'Mail a fresh verification link',
          description: 'Sends nothing when the address is already verified. Limited per address (`RATE_LIMITED`).',
          security: bearer,
          response: { 202: acceptedSchema },
        },
      },
      async (request, reply) => {
        await account.resendVerification(requireAuth(request).userId);
        return reply.code(202).send(accepted);
      },
    );

    app.post(
      '/password/forgot',
      {
        config: limit(opts.limits.forgotMax),
        schema: {
          tags: ['account'],
          operationId: 'forgotPassword',
          security: [],
          summary: 'Mail a password reset link',
          description:
            'Always 202, in about the same time, whether or not an account has the address; the mailed link works once and for ' +
            'PASSWORD_RESET_TTL (1 h). ' +
            'Limited per client IP and per address (`RATE_LIMITED`).',
          body: forgotPasswordBody,
          response: { 202: acceptedSchema },
        },
      },
      async (request, reply) => {
        await account.forgotPassword(request.body.email);
        return reply.code(202).send(accepted);
      },
    );

    app.post(
      '/password/reset',
      {
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['account'],
          operationId: 'resetPassword',
          security: [],
          errors: errorCodes('TOKEN_INVALID_INPUT'),
          summary: 'Set a new password with the token from the reset mail',
          description: 'Signs the user out of every session. A used, expired or unknown token is `TOKEN_INVALID` (400).',
          body: resetPasswordBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await account.resetPassword(request.body.token, request.body.newPassword);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/password/change',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['account'],
          operationId: 'changePassword',
          errors: errorCodes('INVALID_CREDENTIALS', 'MFA_CODE_INVALID'),
          summary: 'Change the password',
          description:
            'Needs the current password, and while MFA is on a current `code` (TOTP or recovery code); every other session of the user is revoked, this one is kept.',
          security: bearer,
          body: changePasswordBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const { userId, sessionId } = requireAuth(request);
        await account.changePassword(userId, sessionId, request.ip, request.body.currentPassword, request.body.newPassword, request.body.code);
        return reply.code(204).send(null);
      },
    );
  };
}
