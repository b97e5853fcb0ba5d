import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';

/** Cookie mode (browsers): the refresh token is set as an HttpOnly cookie instead of answered. */
export const cookieFlag = z
  .boolean()
  .optional()
  .describe(
    'Browsers: `true` sets the refresh token as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to `/v1/auth` instead of ' +
      'answering it; only from an allowed browser origin (`Origin`), else 403 `ORIGIN_NOT_ALLOWED`.',
  );

/** A new token pair: what login, refresh and the OAuth exchange answer. */
export const tokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z
      .string()
      .optional()
      .describe('Absent in cookie mode (`"cookie": true`): the refresh token is then only in the `am_refresh` cookie (`Set-Cookie`).'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
    refreshExpiresIn: z.number().int(),
    user: userSchema,
    sessionId: z.uuid(),
  })
  .meta({ id: 'Tokens' });

export const sessionSchema = z
  .object({
    id: z.uuid(),
    current: z.boolean(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    ip: z.string(),
    userAgent: z.string(),
  })
  .meta({ id: 'Session' });
