import type * as OpenIdClient from 'openid-client';
import { AppError } from '@authmeet/http-kit';
import { emailSchema } from '../users/users.schemas.js';
import { appError } from '../../errors.js';
import { onFirstUse } from '../../on-first-use.js';

export interface GoogleClientConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  httpTimeoutMs: number;
  /** Plain-HTTP provider (a local test provider only; config refuses it in production). */
  allowInsecure: boolean;
}

/** The claims of a validated ID token that sign-in uses. */
export interface ProviderClaims {
  sub: string;
  email?: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
}

export interface AuthorizationRequest {
  state: string;
  nonce: string;
  codeChallenge: string;
}

/** openid-client, loaded with the first sign-in rather than with the app. */
export const openIdClient = onFirstUse<typeof OpenIdClient>(() => import('openid-client'));

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * OpenID Connect through openid-client: discovery (cached; retried after a failure), the
 * authorization URL, and the code exchange, which checks state, PKCE, nonce, the ID token's
 * signature (provider JWKS), issuer, audience and expiry, and RFC 9207 `iss` when offered.
 */
export function createGoogleClient(cfg: GoogleClientConfig) {
  let discovered: Promise<OpenIdClient.Configuration> | undefined;

  function configuration(): Promise<OpenIdClient.Configuration> {
    discovered ??= openIdClient()
      .then((oidc) => oidc.discovery(new URL(cfg.issuer), cfg.clientId, { client_secret: cfg.clientSecret }, oidc.ClientSecretPost(cfg.clientSecret), {
        timeout: Math.ceil(cfg.httpTimeoutMs / 1000),
        ...(cfg.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      }))
      .catch((error: unknown) => {
        discovered = undefined; // try again on the next sign-in
        throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The sign-in provider cannot be reached', retryAfter: 5, cause: error });
      });
    return discovered;
  }

  return {
    async authorizationUrl(req: AuthorizationRequest): Promise<string> {
      const [config, oidc] = await Promise.all([configuration(), openIdClient()]);
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: cfg.redirectUri,
        scope: 'openid email profile',
        response_type: 'code',
        state: req.state,
        nonce: req.nonce,
        code_challenge: req.codeChallenge,
        code_challenge_method: 'S256',
      }).href;
    },

    /** `query` is the callback's query string exactly as the provider sent it. */
    async exchange(query: URLSearchParams, checks: { state: string; nonce: string; verifier: string }): Promise<ProviderClaims> {
      const [config, oidc] = await Promise.all([configuration(), openIdClient()]);
      const currentUrl = new URL(cfg.redirectUri);
      currentUrl.search = query.toString();
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.verifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw appError('TOKEN_INVALID_INPUT', { detail: 'The provider returned no ID token' });
      // Held to the same rules as a registered email; anything else counts as no email at all.
      const email = emailSchema.safeParse(claims.email);
      return {
        sub: claims.sub,
        ...(email.success ? { email: email.data } : {}),
        // Only a literal `true` counts: a missing or odd value means "not verified".
        emailVerified: claims.email_verified === true,
        ...(str(claims.given_name) ? { givenName: str(claims.given_name) } : {}),
        ...(str(claims.family_name) ? { familyName: str(claims.family_name) } : {}),
      };
    },
  };
}

/**
 * What a failed exchange means for the browser: the provider or the network is down (retry
 * later), the user refused, or the response did not check out (state, PKCE, nonce, signature…).
 */
export function classifyOidcError(error: unknown): 'DEPENDENCY_UNAVAILABLE' | 'FORBIDDEN' | 'TOKEN_INVALID_INPUT' {
  if (error instanceof AppError) return error.code === 'DEPENDENCY_UNAVAILABLE' ? error.code : 'TOKEN_INVALID_INPUT';
  // Such an error comes only from openid-client's calls, so only once it is loaded.
  const loaded = openIdClient.value;
  if (loaded !== undefined && error instanceof loaded.AuthorizationResponseError) return error.error === 'access_denied' ? 'FORBIDDEN' : 'TOKEN_INVALID_INPUT';
  if (error instanceof TypeError) return 'DEPENDENCY_UNAVAILABLE'; // fetch failed: connection refused, DNS…
  const code = (error as { code?: unknown }).code;
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') return 'DEPENDENCY_UNAVAILABLE';
  return 'TOKEN_INVALID_INPUT';
}

export type GoogleClient = ReturnType<typeof createGoogleClient>;
