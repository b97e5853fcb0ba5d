// Every error code the two services answer (their OpenAPI documents list them), in words a
// person can act on. One table: no screen shows a raw code; an unknown one falls back to the
// API's own title.
import { ApiError } from './api.ts';

export const MESSAGES: Record<string, string> = {
  // Signing in and sessions
  INVALID_CREDENTIALS: 'That email, username or password is not right. Check them and try again.',
  ACCOUNT_DISABLED: 'This account is disabled. Contact an administrator if you think this is a mistake.',
  EMAIL_NOT_VERIFIED: 'Verify your email address first: open the link we mailed you.',
  UNAUTHENTICATED: 'Please sign in to continue.',
  TOKEN_EXPIRED: 'Your session expired. Please sign in again.',
  TOKEN_INVALID: 'Your session is no longer valid. Please sign in again.',
  TOKEN_REVOKED: 'Your session was ended (signed out on another device, or by an administrator). Please sign in again.',
  SESSION_REVOKED: 'Your session was ended (signed out on another device, or by an administrator). Please sign in again.',
  REFRESH_TOKEN_INVALID: 'Your session has ended (signed out elsewhere, by an administrator, or expired). Please sign in again.',
  REFRESH_TOKEN_REUSED: 'For your safety this session was ended: an old sign-in token was used again. Please sign in again.',
  STEP_UP_REQUIRED: 'Confirm it is you: enter your current password (and code) again.',
  // Second factors
  MFA_CODE_INVALID: 'That code is not right. Check the time on your device and try a new code, or use a recovery code.',
  MFA_TOKEN_INVALID: 'The sign-in took too long. Start again with your password.',
  MFA_ALREADY_ENABLED: 'Two-factor authentication is already on.',
  MFA_NOT_ENABLED: 'Two-factor authentication is not on for this account.',
  PASSKEY_INVALID: 'That passkey could not be used to sign in. Try again, or sign in with your password.',
  // Accounts
  EMAIL_TAKEN: 'An account with this email address already exists. Log in, or reset your password.',
  USERNAME_TAKEN: 'This username is taken. Choose another one.',
  VALIDATION_FAILED: 'Some fields need another look.',
  MALFORMED_REQUEST: 'The request could not be read. Reload the page and try again.',
  IMAGE_INVALID: 'That file is not a picture we can use. Choose a JPEG, PNG, WebP, GIF or AVIF image.',
  PAYLOAD_TOO_LARGE: 'That file is too large (at most 5 MiB).',
  UNSUPPORTED_MEDIA_TYPE: 'That kind of file cannot be sent here.',
  // Admin
  LAST_ADMIN: 'This would leave no active admin. Make another user an admin first, then try again.',
  FORBIDDEN: 'You are not allowed to do this. If your roles just changed, log in again.',
  NOT_FOUND: 'This no longer exists.',
  // Meetings
  MEETING_ENDED: 'This meeting has ended.',
  MEETING_FULL: 'This meeting is full.',
  HOST_CANNOT_LEAVE: 'The host cannot leave the meeting: end it instead.',
  REMOVED_FROM_MEETING: 'You were removed from this meeting.',
  // Anything else
  RATE_LIMITED: 'Too many attempts. Wait a minute, then try again.',
  ORIGIN_NOT_ALLOWED: 'This page may not call the service from here.',
  DEPENDENCY_UNAVAILABLE: 'The service is busy right now. Try again in a moment.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again in a moment.',
};

/** Why one was signed out, when it was not one's own doing here. */
export const SIGNED_OUT_MESSAGES: Record<string, string> = {
  LOGGED_OUT_ELSEWHERE: 'You logged out in another tab.',
  LOGGED_OUT_EVERYWHERE_ELSEWHERE: 'You logged out everywhere from another tab.',
  ACCOUNT_DELETED: 'Your account was deleted. Goodbye!',
};

export interface Explained {
  text: string;
  /** The API's code, kept for tests and support (a data attribute, never shown). */
  code: string;
  /** Field-level messages, by field name. */
  fields: Record<string, string>;
}

/** An error as a sentence, with field messages when the API named fields. */
export function explainError(error: unknown): Explained {
  if (error instanceof ApiError) {
    const fields: Record<string, string> = {};
    for (const e of error.problem?.errors ?? []) fields[e.path.replace(/^\/?(body\/)?/, '').split(/[./]/)[0] ?? e.path] = e.message;
    const listed = Object.entries(fields)
      .map(([name, message]) => `${name}: ${message}`)
      .join('; ');
    const base = MESSAGES[error.code] ?? error.problem?.detail ?? error.problem?.title ?? `The request failed (HTTP ${error.status}).`;
    return { text: error.code === 'VALIDATION_FAILED' && listed ? `${base} ${listed}.` : base, code: error.code, fields };
  }
  if (error instanceof TypeError) return { text: 'The service cannot be reached. Check your connection and try again.', code: 'NETWORK', fields: {} };
  if (error instanceof DOMException && error.name === 'NotAllowedError') return { text: 'The passkey request was cancelled or timed out.', code: 'CANCELLED', fields: {} };
  return { text: `Something went wrong: ${error instanceof Error ? error.message : String(error)}`, code: 'UNKNOWN', fields: {} };
}

/** The message for a code (the session manager's `session.revoked` gives one). */
export function messageFor(code: string): string {
  return SIGNED_OUT_MESSAGES[code] ?? MESSAGES[code] ?? 'Your session has ended. Please sign in again.';
}
