import type { HttpApp } from '@authmeet/http-kit';
import { AppError } from '@authmeet/http-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { COOKIE_MODE_DOC } from '../sessions/browser-sessions.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import { tokensSchema } from '../sessions/sessions.schemas.js';
import type { MfaService } from './mfa.service.js';
import { codeBody, confirmBody, disableBody, recoveryCodesResponse, totpSetupResponse, verifyBody } from './mfa.schemas.js';
import { errorCodes } from '../../errors.js';

export interface MfaRoutesOptions {
  mfa: MfaService;
  /** Cookie mode for browsers (api.md "Browser sessions"). */
  browser: BrowserSessions;
  limits: { loginMax: number; accountMax: number; windowSec: number };
}

const bearer = [{ bearerAuth: [] }];

function userIdOf(request: FastifyRequest): string {
  if (!request.auth) throw new AppError('UNAUTHENTICATED');
  return request.auth.userId;
}

export function mfaRoutes(opts: MfaRoutesOptions) {
  const { mfa } = opts;
  const limit = (max: number) => ({ rateLimit: { max, timeWindow: opts.limits.windowSec * 1000 } });

  return async function routes(app: HttpApp) {
    app.post(
      '/totp/setup',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['mfa'],
          operationId: 'startTotpSetup',
          errors: errorCodes('FORBIDDEN', 'MFA_ALREADY_ENABLED'),
          summary: 'Start TOTP enrolment: a new pending secret, its otpauth URL and QR code',
          description: 'The secret is stored encrypted and stays pending until confirmed. 409 `MFA_ALREADY_ENABLED` while MFA is on.',
          security: bearer,
          response: { 200: totpSetupResponse },
        },
      },
      async (request) => mfa.setup(userIdOf(request)),
    );

    app.post(
      '/totp/confirm',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['mfa'],
          operationId: 'confirmTotpSetup',
          errors: errorCodes('MFA_CODE_INVALID_INPUT', 'MFA_NOT_ENABLED', 'MFA_ALREADY_ENABLED'),
          summary: 'Confirm TOTP enrolment with a code: MFA on, 10 recovery codes (shown once)',
          description: '400 `MFA_CODE_INVALID` for a wrong code; 409 `MFA_NOT_ENABLED` without a pending setup, `MFA_ALREADY_ENABLED` when on.',
          security: bearer,
          body: confirmBody,
          response: { 200: recoveryCodesResponse },
        },
      },
      async (request) => mfa.confirm(userIdOf(request), request.body.code),
    );

    app.delete(
      '/totp',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['mfa'],
          operationId: 'disableMfa',
          errors: errorCodes('INVALID_CREDENTIALS', 'MFA_CODE_INVALID', 'MFA_NOT_ENABLED'),
          summary: 'Turn MFA off (password and a current code)',
          description: 'Removes the TOTP secret and the recovery codes. 401 `INVALID_CREDENTIALS` / `MFA_CODE_INVALID`; 409 `MFA_NOT_ENABLED`.',
          security: bearer,
          body: disableBody,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await mfa.disable(userIdOf(request), request.body.password, request.body.code, request.ip);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/recovery-codes',
      {
        preHandler: app.authenticate,
        config: limit(opts.limits.accountMax),
        schema: {
          tags: ['mfa'],
          operationId: 'regenerateRecoveryCodes',
          errors: errorCodes('MFA_CODE_INVALID', 'MFA_NOT_ENABLED'),
          summary: 'Replace the recovery codes (needs a current code)',
          security: bearer,
          body: codeBody,
          response: { 200: recoveryCodesResponse },
        },
      },
      async (request) => mfa.regenerateRecoveryCodes(userIdOf(request), request.body.code, request.ip),
    );

    app.post(
      '/verify',
      {
        config: limit(opts.limits.loginMax),
        preHandler: opts.browser.guard,
        schema: {
          tags: ['mfa'],
          operationId: 'verifyMfaLogin',
          security: [],
          errors: errorCodes('MFA_TOKEN_INVALID', 'MFA_CODE_INVALID', 'ACCOUNT_DISABLED', 'ORIGIN_NOT_ALLOWED'),
          summary: 'Second step of a login: the mfaToken and a TOTP or recovery code',
          description:
            'Completes a password or Google login that answered `mfaRequired`. 401 `MFA_CODE_INVALID` for a wrong code (it counts on the ' +
            "account's brute-force throttle, and the 5th kills the token), 401 `MFA_TOKEN_INVALID` for an unknown, used, expired or dead token." +
            COOKIE_MODE_DOC,
          body: verifyBody,
          response: { 200: tokensSchema },
        },
      },
      async (request, reply) => {
        const { mfaToken, code, recoveryCode, cookie } = request.body;
        const factor = code !== undefined ? { code } : { recoveryCode: recoveryCode ?? '' };
        const userAgent = typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : '';
        return opts.browser.deliver(reply, await mfa.verifyLogin(mfaToken, factor, { ip: request.ip, userAgent }), cookie);
      },
    );
  };
}
