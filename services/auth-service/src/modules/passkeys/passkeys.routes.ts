import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { COOKIE_MODE_DOC } from '../sessions/browser-sessions.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import { tokensSchema } from '../sessions/sessions.schemas.js';
import type { PasskeysService } from './passkeys.service.js';
import {
  creationOptionsSchema,
  deleteBody,
  loginOptionsBody,
  loginOptionsResponse,
  loginVerifyBody,
  passkeyIdParams,
  passkeySchema,
  registerVerifyBody,
  renameBody,
} from './passkeys.schemas.js';
import { errorCodes } from '../../errors.js';

export interface PasskeysRoutesOptions {
  passkeys: PasskeysService;
  /** Cookie mode for browsers (api.md "Browser sessions"). */
  browser: BrowserSessions;
  limits: { loginMax: number; accountMax: number; windowSec: number };
}

const bearer = [{ bearerAuth: [] }];
const tags = ['passkeys'];

function userIdOf(request: FastifyRequest): string {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth.userId;
}

export function passkeysRoutes(opts: PasskeysRoutesOptions) {
  const { passkeys } = opts;
  const limit = (max: number) => ({ rateLimit: { max, timeWindow: opts.limits.windowSec * 1000 } });

  return async function routes(app: HttpApp) {
    app.post(
      '/register/options',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags,
          operationId: 'startPasskeyRegistration',
          summary: 'Start registering a passkey: WebAuthn creation options (JSON form)',
          description: 'Resident key and user verification required. The challenge is single use and lives WEBAUTHN_CHALLENGE_TTL (5 minutes).',
          security: bearer,
          response: { 200: creationOptionsSchema },
        },
      },
      async (request) => passkeys.registrationOptions(userIdOf(request)),
    );

    app.post(
      '/register/verify',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags,
          operationId: 'finishPasskeyRegistration',
          errors: errorCodes('PASSKEY_INVALID_INPUT', 'MFA_CODE_INVALID'),
          summary: 'Finish registering a passkey',
          description: 'While MFA is on, `code` (TOTP or recovery code) is required. 400 `PASSKEY_INVALID` for a response that does not verify.',
          security: bearer,
          body: registerVerifyBody,
          response: { 201: passkeySchema },
        },
      },
      async (request, reply) => reply.code(201).send(await passkeys.register(userIdOf(request), request.body, request.ip)),
    );

    app.post(
      '/login/options',
      {
        config: limit(opts.limits.loginMax),
        schema: {
          tags,
          operationId: 'startPasskeyLogin',
          security: [],
          summary: 'Start a passkey login',
          description: 'Without `identifier` any discoverable passkey of this relying party may answer (no username typed).',
          body: loginOptionsBody,
          response: { 200: loginOptionsResponse },
        },
      },
      async (request) => passkeys.loginOptions(request.body.identifier),
    );

    app.post(
      '/login/verify',
      {
        config: limit(opts.limits.loginMax),
        preHandler: opts.browser.guard,
        schema: {
          tags,
          operationId: 'finishPasskeyLogin',
          security: [],
          errors: errorCodes('PASSKEY_INVALID', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'ORIGIN_NOT_ALLOWED'),
          summary: 'Finish a passkey login: tokens (amr hwk, acr aal2, no second step)',
          description: '401 `PASSKEY_INVALID` for an unknown, used or expired challenge, an unknown passkey, a bad signature or a counter that did not grow.' +
            COOKIE_MODE_DOC,
          body: loginVerifyBody,
          response: { 200: tokensSchema },
        },
      },
      async (request, reply) => {
        const userAgent = typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '';
        return opts.browser.deliver(reply, await passkeys.login(request.body.challengeId, request.body.response, { ip: request.ip, userAgent }), request.body.cookie);
      },
    );

    app.get(
      '/',
      {
        preHandler: app.authenticate,
        schema: { tags, operationId: 'listPasskeys', summary: "The user's passkeys", security: bearer, response: { 200: z.object({ items: z.array(passkeySchema) }) } },
      },
      async (request) => passkeys.list(userIdOf(request)),
    );

    app.patch(
      '/:id',
      {
        preHandler: app.authenticate,
        schema: {
          tags,
          operationId: 'renamePasskey',
          errors: errorCodes('NOT_FOUND'),
          summary: 'Rename a passkey',
          security: bearer,
          params: passkeyIdParams,
          body: renameBody,
          response: { 200: passkeySchema },
        },
      },
      async (request) => passkeys.rename(userIdOf(request), request.params.id, request.body.name),
    );

    app.delete(
      '/:id',
      {
        preHandler: app.authenticate,
        schema: {
          tags,
          operationId: 'removePasskey',
          errors: errorCodes('NOT_FOUND', 'MFA_CODE_INVALID'),
          summary: 'Remove a passkey',
          description: 'While MFA is on, the body needs `code` (TOTP or recovery code).',
          security: bearer,
          params: passkeyIdParams,
          body: deleteBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await passkeys.remove(userIdOf(request), request.params.id, request.body?.code, request.ip);
        return reply.code(204).send(null);
      },
    );
  };
}
