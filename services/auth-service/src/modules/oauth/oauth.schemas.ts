import { z } from 'zod';
import { cookieFlag } from '../sessions/sessions.schemas.js';

export const startQuery = z.object({
  redirectTo: z
    .string()
    .max(2048)
    .optional()
    .describe('Where the browser lands afterwards (with `?code=` or `?error=`); must be on OAUTH_REDIRECT_ALLOWLIST. Default: APP_BASE_URL.'),
});

const param = z.string().max(4096).optional();

/** What a provider sends back; the raw query string is what is validated (openid-client). */
export const callbackQuery = z.object({
  state: param,
  code: param,
  iss: param,
  error: param,
  error_description: param,
  scope: param,
});

export const exchangeBody = z.object({ code: z.string().trim().min(1, 'is required').max(512), cookie: cookieFlag });

export const redirectResponse = z.null().describe('A redirect; the target is in the `Location` header.');
