import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** What the provider says about a person: Google's ID-token claims. */
export interface GoogleAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
}

type NextSignIn = { sub: string } | { error: string };

/**
 * A real OpenID provider (oidc-provider) on an ephemeral loopback port, configured like Google:
 * authorization code flow with PKCE, `client_secret_post`, RS256 ID tokens that carry email,
 * email_verified and names. The login page is replaced by `signInAs`/`decline`: the next
 * browser that reaches the interaction is signed in as that account (consent included).
 */
export async function startFakeGoogle(opts: { redirectUri: string }) {
  const accounts = new Map<string, GoogleAccount>();
  let next: NextSignIn | undefined;
  const clientId = 'authmeet-test.apps.googleusercontent.com';
  const clientSecret = randomBytes(16).toString('hex');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'fake-google-1', alg: 'RS256', use: 'sig' };

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
    // Google puts the scope's claims in the ID token itself, not only behind userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: async () => ({ ...account }) } : undefined;
    },
  });
  const handle = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const choice = next;
    next = undefined;
    if (!choice) {
      res.writeHead(500).end('fake-google: no sign-in queued (call signInAs first)');
      return;
    }
    if ('error' in choice) {
      await provider.interactionFinished(req, res, { error: choice.error, error_description: 'The user declined' }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: choice.sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: choice.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
      return;
    }
    void handle(req, res);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    /** The next browser to reach the login page signs in as this account. */
    signInAs(account: GoogleAccount) {
      accounts.set(account.sub, account);
      next = { sub: account.sub };
    },
    /** The next browser declines (the provider answers `error=access_denied`). */
    decline() {
      next = { error: 'access_denied' };
    },
    /**
     * Plays the browser: follows redirects from the authorization URL, keeping the provider's
     * cookies, until a redirect leaves the provider; returns that URL (the callback).
     */
    async authorize(authorizationUrl: string): Promise<URL> {
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop += 1) {
        const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
        const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        for (const line of res.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const eq = pair.indexOf('=');
          const name = pair.slice(0, eq).trim();
          const value = pair.slice(eq + 1).trim();
          if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
          else jar.set(name, value);
        }
        const location = res.headers.get('location');
        if (!location) throw new Error(`fake-google: ${res.status} without a redirect at ${url.pathname}: ${await res.text()}`);
        await res.arrayBuffer().catch(() => undefined);
        const target = new URL(location, url);
        if (target.origin !== issuer) return target;
        url = target;
      }
      throw new Error('fake-google: too many redirects');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeGoogle = Awaited<ReturnType<typeof startFakeGoogle>>;
