import type { HttpApp } from '@authmeet/http-kit';
import { AppError, pageOf, requirePermission } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';
import { optionalReasonBody, reasonBody, rolesBody, searchQuery, userDetailSchema, userIdParams } from './admin.schemas.js';
import type { Actor } from './admin.service.js';
import type { AdminUsersService } from './index.js';
import { errorCodes } from '../../errors.js';

const tags = ['admin'];
const security = [{ bearerAuth: [] }];
const forbidden = 'Admins only: others get 403 `FORBIDDEN`.';

function actor(request: FastifyRequest): Actor {
  // Stryker disable next-line ConditionalExpression,StringLiteral,CallExpression: the routes' onRequest hook refuses a request without a token first; this is for the types
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return { id: request.auth.userId, type: 'admin' };
}

/** `/v1/admin/users`: the user directory for admins. Every route needs `users:read` or `users:write`. */
export function adminUsersRoutes(admin: AdminUsersService) {
  return async function routes(app: HttpApp) {
    app.addHook('onRequest', app.authenticate);
    const read = { preHandler: requirePermission('users:read') };
    const write = { preHandler: requirePermission('users:write') };

    app.get(
      '/',
      {
        ...read,
        schema: {
          tags,
          security,
          operationId: 'searchUsers',
          errors: errorCodes('FORBIDDEN'),
          summary: 'Search users by email or username prefix',
          description: `Case-insensitive prefix of the email or the username (an index range scan), filtered by role and status, in id order. ${forbidden}`,
          querystring: searchQuery,
          response: { 200: pageOf(userSchema) },
        },
      },
      async (request) => admin.search(request.query),
    );

    app.get(
      '/:id',
      {
        ...read,
        schema: {
          tags,
          security,
          operationId: 'getUserDetail',
          errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
          summary: 'One user with their sessions, linked identities and second factors',
          description: forbidden,
          params: userIdParams,
          response: { 200: userDetailSchema },
        },
      },
      async (request) => admin.detail(request.params.id),
    );

    app.post(
      '/:id/disable',
      {
        ...write,
        schema: {
          tags,
          security,
          operationId: 'disableUser',
          errors: errorCodes('FORBIDDEN', 'NOT_FOUND', 'LAST_ADMIN'),
          summary: 'Disable a user',
          description:
            'Every session is revoked and every access token of the user is refused at once by both services; login, refresh and ' +
            `Google sign-in answer 403 \`ACCOUNT_DISABLED\`. Synced to the meetings-service. 409 \`LAST_ADMIN\` for the last active admin. ${forbidden}`,
          params: userIdParams,
          body: reasonBody,
          response: { 200: userSchema },
        },
      },
      async (request) => admin.disable(actor(request), request.params.id, request.body.reason),
    );

    app.post(
      '/:id/enable',
      {
        ...write,
        schema: {
          tags,
          security,
          operationId: 'enableUser',
          errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
          summary: 'Enable a disabled user again',
          description: forbidden,
          params: userIdParams,
          body: optionalReasonBody,
          response: { 200: userSchema },
        },
      },
      async (request) => admin.enable(actor(request), request.params.id, request.body.reason ?? ''),
    );

    app.put(
      '/:id/roles',
      {
        ...write,
        schema: {
          tags,
          security,
          operationId: 'setUserRoles',
          errors: errorCodes('FORBIDDEN', 'NOT_FOUND', 'LAST_ADMIN'),
          summary: "Set a user's roles",
          description:
            'Replaces the roles. Access tokens issued before the change are refused at once by both services; the user refreshes ' +
            `and gets the new \`roles\` claim. 409 \`LAST_ADMIN\` if no active admin would remain. ${forbidden}`,
          params: userIdParams,
          body: rolesBody,
          response: { 200: userSchema },
        },
      },
      async (request) => admin.setRoles(actor(request), request.params.id, request.body.roles),
    );

    app.post(
      '/:id/sessions/revoke',
      {
        ...write,
        schema: {
          tags,
          security,
          operationId: 'revokeUserSessions',
          errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
          summary: 'Revoke every session of a user',
          description: forbidden,
          params: userIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await admin.revokeSessions(actor(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/:id/mfa',
      {
        ...write,
        schema: {
          tags,
          security,
          operationId: 'resetUserMfa',
          errors: errorCodes('FORBIDDEN', 'NOT_FOUND'),
          summary: "Reset a user's second factors",
          description:
            'Removes the TOTP secret, the recovery codes and the passkeys and turns MFA off (synced to the meetings-service); ' +
            `the user signs in with the password alone until they set a factor up again. Sessions stay. ${forbidden}`,
          params: userIdParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await admin.resetMfa(actor(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
