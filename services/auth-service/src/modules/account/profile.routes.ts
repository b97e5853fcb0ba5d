import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';
import { deleteMeBody, updateMeBody } from './account.schemas.js';
import type { ProfileService } from './profile.service.js';
import { errorCodes } from '../../errors.js';

const bearer = [{ bearerAuth: [] }];

function requireAuth(request: FastifyRequest) {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth;
}

/** `/me`: the current user reads, edits and closes their own account. */
export function profileRoutes(profile: ProfileService) {
  return async function routes(app: HttpApp) {
    app.get(
      '/me',
      {
        preHandler: app.authenticate,
        schema: { tags: ['account'], operationId: 'getMe', summary: 'The current user', security: bearer, response: { 200: userSchema } },
      },
      async (request) => profile.me(requireAuth(request).userId),
    );

    app.patch(
      '/me',
      {
        preHandler: app.authenticate,
        schema: {
          tags: ['account'],
          operationId: 'updateMe',
          errors: errorCodes('EMAIL_TAKEN', 'USERNAME_TAKEN'),
          summary: 'Update the current user',
          security: bearer,
          body: updateMeBody,
          response: { 200: userSchema },
        },
      },
      async (request) => profile.updateMe(requireAuth(request).userId, request.body),
    );

    app.delete(
      '/me',
      {
        preHandler: app.authenticate,
        schema: {
          tags: ['account'],
          operationId: 'deleteMe',
          errors: errorCodes('INVALID_CREDENTIALS', 'MFA_CODE_INVALID'),
          summary: 'Close the account',
          security: bearer,
          body: deleteMeBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await profile.deleteMe(requireAuth(request).userId, request.body.password, request.body.code, request.ip);
        return reply.code(204).send(null);
      },
    );
  };
}
