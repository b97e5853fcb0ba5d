import type { ServiceContext } from '../../context.js';
import { mapInfrastructureError } from '../../errors.js';
import type { AccountMails } from '../account/account-mails.js';
import type { AuditRecorder } from '../audit/index.js';
import type { MailModule } from '../mail/index.js';
import type { MfaModule } from '../mfa/index.js';
import type { OutboxRepository } from '../outbox/outbox.repository.js';
import type { BrowserSessions } from '../sessions/browser-sessions.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { UsersRepository } from '../users/users.repository.js';
import { createGoogleClient } from './google-client.js';
import { createIdentitiesRepository } from './oauth.repository.js';
import { oauthRoutes } from './oauth.routes.js';
import { createOAuthService } from './oauth.service.js';
import { createOAuthStore } from './oauth-store.js';
import { createRedirectAllowlist } from './redirect-allowlist.js';

export interface OAuthModuleDeps {
  users: UsersRepository;
  outbox: OutboxRepository;
  sessions: SessionsService;
  browser: BrowserSessions;
  mfa: Pick<MfaModule, 'signIn'>;
  accountMails: AccountMails;
  mail: Pick<MailModule, 'kick'>;
  audit: AuditRecorder;
}

/** "Sign in with Google": the OpenID Connect code flow, and the one-time code exchanged for tokens. */
export function oauthModule({ app, config }: ServiceContext, deps: OAuthModuleDeps) {
  const google = config.google.enabled
    ? createGoogleClient({ ...config.google, allowInsecure: config.env !== 'production' && config.google.issuer.startsWith('http://') })
    : undefined;
  const oauth = createOAuthService({
    users: deps.users,
    outbox: deps.outbox,
    identities: createIdentitiesRepository(app.prisma),
    store: createOAuthStore(app.redis),
    google,
    allowlist: createRedirectAllowlist(config.oauth.redirectAllowlist),
    accountMails: deps.accountMails,
    sessions: deps.sessions,
    signIn: deps.mfa.signIn,
    audit: deps.audit,
    kickMail: deps.mail.kick,
    mapError: mapInfrastructureError,
    onUnexpectedError: (err) => app.log.error({ err }, 'google sign-in callback failed'),
    config: {
      requireEmailVerification: config.requireEmailVerification,
      defaultRedirect: config.oauth.defaultRedirect,
      stateTtlSec: config.oauth.stateTtlSec,
      codeTtlSec: config.oauth.codeTtlSec,
    },
  });
  return {
    routes: oauthRoutes({
      oauth,
      browser: deps.browser,
      secureCookie: config.google.redirectUri.startsWith('https://'),
      stateTtlSec: config.oauth.stateTtlSec,
      limits: config.rateLimit,
    }),
  };
}
