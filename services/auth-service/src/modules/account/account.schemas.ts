import { z } from 'zod';
import { secondFactorCode } from '../mfa/mfa.schemas.js';
import { passwordShape } from '../passwords/password-policy.js';
import { emailSchema, nameSchema, usernameSchema } from '../users/users.schemas.js';

/** A mailed one-time token; its exact shape is checked by the service (a bad one is TOKEN_INVALID). */
const oneTimeToken = z.string().trim().min(1, 'is required').max(512);

export const verifyEmailBody = z.object({ token: oneTimeToken });

export const forgotPasswordBody = z.object({ email: emailSchema });

export const resetPasswordBody = z.object({ token: oneTimeToken, newPassword: passwordShape });

export const changePasswordBody = z.object({
  currentPassword: z.string().min(1, 'is required').max(1024),
  newPassword: passwordShape,
  /** Required while MFA is on: a current TOTP code or a recovery code. */
  code: secondFactorCode.optional(),
});

export const acceptedSchema = z
  .object({ status: z.literal('accepted') })
  .meta({ id: 'Accepted', description: 'The request was taken; any mail it causes is sent in the background.' });

export const updateMeBody = z
  .object({
    username: usernameSchema.optional(),
    firstName: nameSchema.nullable().optional(),
    lastName: nameSchema.nullable().optional(),
  })
  .strict();

export const deleteMeBody = z.object({
  password: z.string().min(1, 'is required').max(1024),
  /** Required while MFA is on: a current TOTP code or a recovery code. */
  code: secondFactorCode.optional(),
});
