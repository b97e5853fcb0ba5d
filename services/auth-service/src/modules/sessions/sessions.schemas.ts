import { z } from 'zod';
import { userSchema } from '../users/users.schemas.js';

/** A new token pair: what login, refresh and the OAuth exchange answer. */
export const tokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
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
