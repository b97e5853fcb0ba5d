/**
 * Every kind of audit event, with what it records. Stable API like error codes: listed in the
 * OpenAPI document, filtered on by `type`, never renamed. `details` never holds a secret.
 */
export const auditCatalogue = {
  'user.registered': 'An account was created (details: method `password` or `google`).',
  'user.login.succeeded': 'A sign-in opened a session (details: method, sessionId).',
  'user.login.failed': 'A sign-in was refused (details: method, reason as an error code, identifier as typed).',
  'user.logout': 'A session was ended by its user (details: sessionId).',
  'user.logout_all': 'Every session of the user was ended by the user.',
  'session.revoked': 'The user revoked one of their sessions (details: sessionId).',
  'session.refresh_reused': 'A rotated refresh token came back: the session was revoked (details: sessionId).',
  'user.email_verified': 'The email address was verified.',
  'user.password_changed': 'The password was changed; other sessions were revoked.',
  'user.password_reset': 'The password was reset through a mailed link; every session was revoked.',
  'user.oauth_linked': 'A provider identity was linked to the account (details: provider).',
  'user.mfa_enabled': 'TOTP was confirmed: multi-factor authentication is on.',
  'user.mfa_disabled': 'The user turned TOTP off (secret and recovery codes removed).',
  'user.recovery_codes_regenerated': 'A new set of recovery codes replaced the old one.',
  'user.passkey_added': 'A passkey was registered (details: passkeyId, name).',
  'user.passkey_removed': 'A passkey was removed (details: passkeyId).',
  'user.passkey_renamed': 'A passkey was renamed (details: passkeyId, name).',
  'user.deleted': 'The account was closed by its owner.',
  'admin.user_disabled': 'An admin disabled the account; every session was revoked (details: reason).',
  'admin.user_enabled': 'An admin enabled the account again (details: reason).',
  'admin.roles_changed': 'The account\'s roles changed (details: from, to). Actor `system` when the operator command did it.',
  'admin.sessions_revoked': 'An admin revoked every session of the account (details: count).',
  'admin.mfa_reset': 'An admin removed the account\'s second factors.',
  'audit.pruned': 'Retention removed events older than AUDIT_RETENTION (details: count, anchorId, anchorHash).',
} as const satisfies Record<string, string>;

export type AuditEventType = keyof typeof auditCatalogue;
export const auditEventTypes = Object.keys(auditCatalogue) as [AuditEventType, ...AuditEventType[]];

export type AuditOutcome = 'success' | 'failure';
export type AuditActorType = 'user' | 'admin' | 'system';

/** The catalogue as Markdown, for the OpenAPI description. */
export function auditCatalogueMarkdown(): string {
  return auditEventTypes.map((type) => `- \`${type}\`: ${auditCatalogue[type]}`).join('\n');
}
