// Audit events as people read them: the activity page (a user's own events) and the admin's
// audit viewer show the same event the same way. The event types are the auth-service's
// catalogue (GET /v1/admin/audit in its OpenAPI document); an unknown type shows as it is.
import type { AuthPaths, JsonOf } from '@authmeet/api-client';

/** A page of the audit trail (`GET /v1/admin/audit`; `GET /v1/auth/me/activity` answers the same). */
export type AuditPage = JsonOf<AuthPaths['/v1/admin/audit']['get']['responses'][200]>;
export type AuditEvent = AuditPage['items'][number];

export const EVENT_LABELS: Record<string, string> = {
  'user.registered': 'Account created',
  'user.login.succeeded': 'Signed in',
  'user.login.failed': 'Sign-in refused',
  'user.logout': 'Signed out',
  'user.logout_all': 'Signed out everywhere',
  'session.revoked': 'A session was ended',
  'session.refresh_reused': 'A used refresh token came back: its session was ended',
  'user.email_verified': 'Email address verified',
  'user.password_changed': 'Password changed',
  'user.password_reset': 'Password reset by email',
  'user.oauth_linked': 'Google account linked',
  'user.mfa_enabled': 'Two-factor authentication turned on',
  'user.mfa_disabled': 'Two-factor authentication turned off',
  'user.recovery_codes_regenerated': 'New recovery codes',
  'user.passkey_added': 'Passkey added',
  'user.passkey_removed': 'Passkey removed',
  'user.passkey_renamed': 'Passkey renamed',
  'user.deleted': 'Account closed',
  'admin.user_disabled': 'Account disabled by an admin',
  'admin.user_enabled': 'Account enabled by an admin',
  'admin.roles_changed': 'Roles changed',
  'admin.sessions_revoked': 'Every session ended by an admin',
  'admin.mfa_reset': 'Two-factor authentication reset by an admin',
  'audit.pruned': 'Old events removed (retention)',
};

/** Why a sign-in was refused, from its error code. */
const REFUSALS: Record<string, string> = {
  INVALID_CREDENTIALS: 'wrong password or unknown account',
  ACCOUNT_DISABLED: 'the account is disabled',
  EMAIL_NOT_VERIFIED: 'the email address is not verified',
  RATE_LIMITED: 'too many attempts',
  MFA_CODE_INVALID: 'wrong code',
};

const text = (value: unknown): string => (Array.isArray(value) ? (value.length === 0 ? 'none' : value.join(', ')) : String(value));

/**
 * The facts of an event worth reading, as short phrases (never a secret: events hold none).
 */
export function eventFacts(event: AuditEvent): string[] {
  const d = event.details;
  const facts: string[] = [];
  if (typeof d.method === 'string') facts.push(`with ${d.method}`);
  if (typeof d.reason === 'string' && d.reason !== '') {
    facts.push(event.type === 'user.login.failed' ? `because: ${REFUSALS[d.reason] ?? d.reason}` : `reason: ${d.reason}`);
  }
  if ('from' in d && 'to' in d) facts.push(`roles ${text(d.from)} → ${text(d.to)}`);
  if (typeof d.name === 'string') facts.push(`name: ${d.name}`);
  if (typeof d.count === 'number') facts.push(`${d.count} affected`);
  if (event.ip) facts.push(`IP ${event.ip}`);
  if (event.userAgent) facts.push(event.userAgent.length > 60 ? `${event.userAgent.slice(0, 60)}…` : event.userAgent);
  return facts;
}

/**
 * One event as a list item: when, what (in words), the facts; `extra` adds admin-only facts.
 */
export function eventItem(event: AuditEvent, extra: string[] = []): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.eventType = event.type;
  const when = Object.assign(document.createElement('time'), { dateTime: event.at, textContent: new Date(event.at).toLocaleString() });
  const what = Object.assign(document.createElement('strong'), { textContent: EVENT_LABELS[event.type] ?? event.type });
  li.append(when, ' ', what);
  if (event.outcome === 'failure') {
    li.classList.add('failed');
    li.append(' ', Object.assign(document.createElement('span'), { className: 'badge badge-danger', textContent: '(failed)' }));
  }
  const facts = [...eventFacts(event), ...extra];
  if (facts.length > 0) li.append(' ', Object.assign(document.createElement('span'), { className: 'facts', textContent: facts.join(' · ') }));
  return li;
}
