import { documentAs } from '@authmeet/http-kit';
import { z } from 'zod';
import { cookieFlag } from '../sessions/sessions.schemas.js';

/** A TOTP code (6 digits) or a recovery code (`xxxxx-xxxxx`), as typed: spaces and dashes allowed. */
export const secondFactorCode = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(32, 'must be at most 32 characters')
  .regex(/^[A-Za-z0-9 -]+$/, 'must be a 6-digit code or a recovery code');

const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6-digit code of the authenticator app')
  .meta({ examples: ['492039'] });

export const totpSetupResponse = z
  .object({
    secret: z.string().meta({ description: 'Base32, for typing into an app that cannot scan' }),
    otpauthUrl: z.string(),
    qrSvg: z.string().meta({ description: 'The otpauth URL as a QR code, an SVG document' }),
  })
  .meta({ id: 'TotpSetup' });

export const confirmBody = z.object({ code: totpCode });
export const disableBody = z.object({ password: z.string().min(1, 'is required').max(1024), code: secondFactorCode });
export const codeBody = z.object({ code: secondFactorCode });

export const recoveryCodesResponse = z
  .object({ recoveryCodes: z.array(z.string()).meta({ description: 'Shown once: only hashes are kept' }) })
  .meta({ id: 'RecoveryCodes' });

const mfaToken = z.string().min(1, 'is required').max(128);

/** `{ mfaToken, code }` or `{ mfaToken, recoveryCode }`: exactly one of the two. */
export const verifyBody = documentAs(
  z
    .object({ mfaToken, code: totpCode.optional(), recoveryCode: secondFactorCode.optional(), cookie: cookieFlag })
    .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
      path: ['code'],
      message: 'send either code or recoveryCode',
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    }),
  // The document says what the refinement checks: one factor or the other, never both.
  z
    .union([
      z.object({ mfaToken, code: totpCode.meta({ description: 'The 6-digit code of the authenticator app', examples: ['492039'] }), cookie: cookieFlag }).strict(),
      z.object({ mfaToken, recoveryCode: secondFactorCode.meta({ description: 'One of the recovery codes', examples: ['k7m2p-x9q4t'] }), cookie: cookieFlag }).strict(),
    ])
    .meta({ description: 'The `mfaToken` of the login and either a TOTP `code` or a `recoveryCode`, not both.' }),
);

export const mfaChallengeSchema = z
  .object({
    mfaRequired: z.literal(true),
    mfaToken: z.string().meta({ description: 'Single use, 5 minutes, dies after 5 wrong codes' }),
    methods: z.array(z.enum(['totp', 'recovery_code'])),
  })
  .meta({ id: 'MfaChallenge' });
