import { defineErrors } from '@authmeet/http-kit';

/**
 * Every error code the auth-service answers: http-kit's generic codes merged with its own
 * (credentials, one-time tokens, refresh tokens, second factors and passkeys, accounts and their
 * administration, email and username, profile pictures). A new code is
 * added here, with its status and title, and raised with `appError('CODE')`.
 */
export const { catalogue: errorCatalogue, appError, publicCode, errorCodes } = defineErrors({
  TOKEN_INVALID_INPUT: { status: 400, title: 'The token is invalid or has expired', wireCode: 'TOKEN_INVALID' },
  INVALID_CREDENTIALS: { status: 401, title: 'The credentials are not valid' },
  REFRESH_TOKEN_INVALID: { status: 401, title: 'The refresh token is not valid' },
  REFRESH_TOKEN_REUSED: { status: 401, title: 'The refresh token was already used; the session is revoked' },
  MFA_CODE_INVALID: { status: 401, title: 'The second-factor code is not valid' },
  MFA_CODE_INVALID_INPUT: { status: 400, title: 'The second-factor code is not valid', wireCode: 'MFA_CODE_INVALID' },
  MFA_TOKEN_INVALID: { status: 401, title: 'The MFA token is invalid, used or expired; log in again' },
  PASSKEY_INVALID: { status: 401, title: 'The passkey could not be verified' },
  PASSKEY_INVALID_INPUT: { status: 400, title: 'The passkey could not be verified', wireCode: 'PASSKEY_INVALID' },
  ORIGIN_NOT_ALLOWED: { status: 403, title: 'Cookie sessions are only for requests from an allowed browser origin' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'The email address is not verified' },
  EMAIL_TAKEN: { status: 409, title: 'The email address is already registered' },
  USERNAME_TAKEN: { status: 409, title: 'The username is already taken' },
  MFA_ALREADY_ENABLED: { status: 409, title: 'Multi-factor authentication is already on' },
  MFA_NOT_ENABLED: { status: 409, title: 'Multi-factor authentication is not on' },
  LAST_ADMIN: { status: 409, title: 'The last admin cannot lose the admin role' },
  IMAGE_INVALID: { status: 422, title: 'The image cannot be decoded or is too large' },
});

export type ErrorCode = keyof typeof errorCatalogue;

/**
 * Errors from this service's dependencies that are not the client's fault become a 503, never a
 * 500. Database and Redis failures are mapped by the shared kit; a service-specific translation
 * would wrap it here (as the meetings-service does for its auth-service client).
 */
export { mapInfrastructureError } from '@authmeet/http-kit';
