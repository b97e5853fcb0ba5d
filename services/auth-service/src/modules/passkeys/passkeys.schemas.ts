import { safeText } from '@authmeet/http-kit';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { secondFactorCode } from '../mfa/mfa.schemas.js';
import { cookieFlag } from '../sessions/sessions.schemas.js';

const b64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

/** The JSON form of a WebAuthn credential (`PublicKeyCredential.toJSON()`); the library checks the rest. */
const credentialBase = {
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

export const registrationResponse = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    authenticatorData: b64url.optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url.optional(),
  }),
}) as unknown as z.ZodType<RegistrationResponseJSON>;

export const authenticationResponse = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
}) as unknown as z.ZodType<AuthenticationResponseJSON>;

const passkeyName = safeText().trim().min(1, 'is required').max(100, 'must be at most 100 characters');

export const registerVerifyBody = z.object({
  response: registrationResponse,
  name: passkeyName.optional(),
  /** Required while MFA is on. */
  code: secondFactorCode.optional(),
});

export const loginOptionsBody = z.object({ identifier: safeText().trim().min(1).max(254).optional() }).default({});
export const loginVerifyBody = z.object({ challengeId: z.string().min(1).max(64), response: authenticationResponse, cookie: cookieFlag });
export const renameBody = z.object({ name: passkeyName });
/** A DELETE may come without a body (null): then there is no code. */
export const deleteBody = z.object({ code: secondFactorCode.optional() }).nullish();
export const passkeyIdParams = z.object({ id: z.uuid('must be a passkey id') });

export const passkeySchema = z
  .object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime(), lastUsedAt: z.iso.datetime().nullable() })
  .meta({ id: 'Passkey' });

/** WebAuthn's options, JSON form: passed to `PublicKeyCredential.parse*OptionsFromJSON`. */
export const creationOptionsSchema = z.record(z.string(), z.unknown()).meta({ id: 'PasskeyCreationOptions' });
export const loginOptionsResponse = z
  .object({ challengeId: z.uuid(), options: z.record(z.string(), z.unknown()) })
  .meta({ id: 'PasskeyLoginOptions' });
