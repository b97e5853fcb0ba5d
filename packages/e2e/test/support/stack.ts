import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMailServer } from '@authmeet/dev-mail';
import type { MailServer } from '@authmeet/dev-mail';
import { TEST_REDIS_URL, createTestDatabase, freePort, startTestS3, uniqueRedisPrefix } from '@authmeet/test-kit';
import type { TestDatabase, TestS3 } from '@authmeet/test-kit';
import { buildWebClient } from '@authmeet/web-client/build';
import { renderNginxConfig } from '@authmeet/web-client/ingress';
import { findNginx, startNginx } from '@authmeet/web-client/nginx-process';
import type { NginxProcess } from '@authmeet/web-client/nginx-process';
import { webRootFor } from '@authmeet/web-client/public-dir';
import { repoPath } from './repo.js';
import { loadService } from './services.js';
import type { ServiceApp } from './services.js';

export interface Stack {
  /** The ingress: the web client at `/`, both APIs behind it. */
  url: string;
  /**
   * The same ingress as `http://localhost:<port>`: the relying party of passkeys (WebAuthn needs
   * a secure context and a domain, and an IP address is neither).
   */
  localUrl: string;
  /** Two more origins serving a blank page: one allowed by CORS_ORIGINS, one not. */
  allowedOrigin: string;
  foreignOrigin: string;
  auth: ServiceApp;
  meetings: ServiceApp;
  nginx: NginxProcess;
  /** The profile-picture bucket (a real local S3 server). */
  s3: TestS3;
  /**
   * dev-mail, where the auth-service's mail goes (verification, password reset); its JSON API
   * (`GET /api/mails?to=`) is at `mailUrl`, as under `pnpm dev`.
   */
  mail: MailServer;
  mailUrl: string;
  /** The auth-service's database and both services' Redis prefix, for operator commands (roles.ts). */
  authDatabaseUrl: string;
  redisKeyPrefix: string;
  close(): Promise<void>;
}

/** A port nothing listens on right now (the kernel's pick), for nginx's fixed listen lines. */

function signingKeys(): string {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return JSON.stringify({ keys: [{ ...jwk, kid: 'e2e-1', alg: 'EdDSA', use: 'sig' }] });
}

/**
 * The whole system on loopback: both services (own databases, one Redis prefix, as deployed),
 * wired to each other with a service key, behind nginx rendered from the shared route table.
 */
export async function startStack(opts: { corsOrigins?: 'allowed-origin' } = {}): Promise<Stack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    // The client nginx serves, built from its sources unless dist/ is already current.
    await buildWebClient();
    // dev-mail takes its ports before the others are picked: a port the kernel handed out as free
    // and that nginx binds later must not go to the SMTP server meanwhile.
    const mail = await startMailServer({ smtpPort: 0, httpPort: 0 });
    cleanups.push(() => mail.close());
    const [authPort, meetingsPort, ingressPort, allowedPort, foreignPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const allowedOrigin = `http://127.0.0.1:${allowedPort}`;
    const foreignOrigin = `http://127.0.0.1:${foreignPort}`;
    const serviceKey = randomBytes(24).toString('hex');
    const common = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueRedisPrefix('e2e'),
      SERVICE_KEYS: serviceKey,
      // nginx on loopback is the one proxy in front; it overwrites X-Forwarded-For.
      TRUST_PROXY: '127.0.0.1',
      CORS_ORIGINS: opts.corsOrigins === 'allowed-origin' ? allowedOrigin : '',
    };

    const dbs: TestDatabase[] = await Promise.all([
      createTestDatabase('e2e_auth', repoPath('services/auth-service/prisma/migrations')),
      createTestDatabase('e2e_meetings', repoPath('services/meetings-service/prisma/migrations')),
    ]);
    cleanups.push(() => Promise.all(dbs.map((db) => db.drop())).then(() => undefined));
    const [authDb, meetingsDb] = dbs as [TestDatabase, TestDatabase];
    const s3 = await startTestS3();
    cleanups.push(() => s3.close());

    // Both services are built in-process from their sources, as their own tests do.
    const [authService, meetingsService] = await Promise.all([loadService('auth-service'), loadService('meetings-service')]);
    const auth = await authService.buildApp(
      authService.loadConfig({
        ...common,
        PORT: String(authPort),
        DATABASE_URL: authDb.url,
        JWT_PRIVATE_JWKS: signingKeys(),
        MEETINGS_SERVICE_URL: `http://127.0.0.1:${meetingsPort}`,
        MEETINGS_SERVICE_KEY: serviceKey,
        OUTBOX_POLL_MS: '100',
        // Mail goes out at once, with links to the web client behind the ingress.
        MAIL_WORKER_ENABLED: 'true',
        MAIL_POLL_MS: '100',
        SMTP_URL: mail.smtpUrl,
        APP_BASE_URL: `http://127.0.0.1:${ingressPort}`,
        ...s3.env,
        // The browser tests sign several people up from one address within a minute.
        RATE_LIMIT_REGISTER_MAX: '100',
        RATE_LIMIT_LOGIN_MAX: '100',
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: `http://localhost:${ingressPort}`,
      }),
      { logger: false },
    );
    cleanups.push(() => auth.close());
    await auth.listen({ host: '127.0.0.1', port: authPort });

    const meetings = await meetingsService.buildApp(
      meetingsService.loadConfig({
        ...common,
        PORT: String(meetingsPort),
        DATABASE_URL: meetingsDb.url,
        AUTH_SERVICE_URL: `http://127.0.0.1:${authPort}`,
        AUTH_SERVICE_KEY: serviceKey,
        SSE_HEARTBEAT_MS: '2000',
      }),
      { logger: false },
    );
    cleanups.push(() => meetings.close());
    await meetings.listen({ host: '127.0.0.1', port: meetingsPort });

    const bin = findNginx(process.env.PATH, process.env.NGINX_BIN);
    if (bin === undefined) throw new Error('nginx not found: .ci/system-packages.sh installs it (or set NGINX_BIN)');
    const runtimeDir = mkdtempSync(join(tmpdir(), 'e2e-ingress-'));
    cleanups.push(() => rmSync(runtimeDir, { recursive: true, force: true }));
    // The other origins serve one blank page: the browser needs a document there to run fetch() from.
    const blankSite = join(runtimeDir, 'blank-site');
    mkdirSync(blankSite);
    writeFileSync(join(blankSite, 'index.html'), '<!doctype html><title>another origin</title>');
    const nginx = await startNginx({
      bin,
      runtimeDir,
      ports: [ingressPort, allowedPort, foreignPort],
      config: renderNginxConfig({
        listen: `127.0.0.1:${ingressPort}`,
        upstreams: { auth: `127.0.0.1:${authPort}`, meetings: `127.0.0.1:${meetingsPort}` },
        webRoot: webRootFor(runtimeDir),
        runtimeDir,
        pictureOrigins: [s3.endpoint],
        docs: true,
        extraSites: [
          { listen: `127.0.0.1:${allowedPort}`, root: blankSite },
          { listen: `127.0.0.1:${foreignPort}`, root: blankSite },
        ],
      }),
    });
    cleanups.push(() => nginx.stop());

    return {
      url: `http://127.0.0.1:${ingressPort}`,
      localUrl: `http://localhost:${ingressPort}`,
      allowedOrigin,
      foreignOrigin,
      auth,
      meetings,
      nginx,
      s3,
      mail,
      mailUrl: `http://${mail.host}:${String(mail.httpPort)}`,
      authDatabaseUrl: authDb.url,
      redisKeyPrefix: common.REDIS_KEY_PREFIX,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
