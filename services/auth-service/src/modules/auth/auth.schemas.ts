import { documentAs, safeText } from '@authmeet/http-kit';
import { z } from 'zod';
import { passwordShape } from '../passwords/password-policy.js';
import { cookieFlag } from '../sessions/sessions.schemas.js';
import { emailSchema, nameSchema, userSchema, usernameSchema } from '../users/users.schemas.js';

export const registerBody = z.object({
  email: emailSchema,
  username: usernameSchema,
  password: passwordShape,
  firstName: nameSchema.optional(),
  lastName: nameSchema.optional(),
});

const identifierField = safeText().trim().min(1, 'is required').max(254);
const loginPassword = z.string().min(1, 'is required').max(1024).meta({ examples: ['Analytical-Engine-1843'] });

/**
 * The login body as the document shows it: a password and one of `identifier` (an email or a
 * username), `email` or `username`. Requests are validated by `loginBody`, which reports every
 * missing field at once.
 */
const loginBodyDoc = z
  .union([
    z.object({ identifier: identifierField.meta({ description: 'An email address or a username', examples: ['ada'] }), password: loginPassword, cookie: cookieFlag }),
    z.object({ email: identifierField.meta({ examples: ['ada@example.com'] }), password: loginPassword, cookie: cookieFlag }),
    z.object({ username: identifierField.meta({ examples: ['ada'] }), password: loginPassword, cookie: cookieFlag }),
  ])
  .meta({ description: 'The password and one of `identifier` (an email or a username), `email` or `username`; `identifier` wins when several are sent.' });


/** `identifier` is an email or a username; `email` or `username` are accepted as aliases. */
export const loginBody = documentAs(
  z
    .object({
      identifier: identifierField.optional(),
      email: identifierField.optional(),
      username: identifierField.optional(),
      password: loginPassword,
      cookie: cookieFlag,
    })
    .refine((b) => (b.identifier ?? b.email ?? b.username) !== undefined, {
      path: ['identifier'],
      message: 'is required (an email or a username)',
      // Run even when another field failed, so every missing field is reported at once.
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    })
    .transform((b) => ({ identifier: b.identifier ?? b.email ?? b.username ?? '', password: b.password, cookie: b.cookie })),
  loginBodyDoc,
);

/**
 * Body mode names the token; cookie mode (`cookie: true`) takes it from the cookie and must not
 * name one too: exactly one source, never a guess between two.
 */
export const refreshBody = z
  .object({
    refreshToken: z.string().min(1, 'is required').max(512).optional().describe('Body mode: the refresh token. Absent in cookie mode.'),
    cookie: cookieFlag.describe('`true`: the refresh token is read from the cookie, and its successor set there (browsers, allowed origins only).'),
  })
  .superRefine((b, ctx) => {
    if (b.cookie === true && b.refreshToken !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['refreshToken'], message: 'must not be sent with cookie: true (the cookie holds the token)' });
    } else if (b.cookie !== true && b.refreshToken === undefined) {
      ctx.addIssue({ code: 'custom', path: ['refreshToken'], message: 'is required (or cookie: true)' });
    }
  });

export const verifyTokenBody = z.object({ token: z.string().min(1, 'is required').max(4096) });

export const claimsSchema = z
  .object({
    iss: z.string(),
    aud: z.union([z.string(), z.array(z.string())]),
    sub: z.string(),
    client_id: z.string().meta({ description: 'RFC 9068: the client the token was issued to' }),
    sid: z.string(),
    jti: z.string(),
    iat: z.number().int(),
    exp: z.number().int(),
    email: z.string(),
    username: z.string(),
    amr: z.array(z.string()).readonly().meta({ description: 'RFC 8176: pwd, otp, mfa, fed, hwk' }),
    acr: z.enum(['aal1', 'aal2']),
    auth_time: z.number().int().meta({ description: 'When the user last authenticated (kept across refreshes)' }),
  })
  .meta({ id: 'AccessTokenClaims' });

export const verifyTokenResponse = z.object({ valid: z.literal(true), claims: claimsSchema, user: userSchema });
