import type { AddressInfo } from 'node:net';
import type { HttpApp } from '@authmeet/http-kit';
import type { MeetingsContext } from '../test-app.js';

/**
 * The real auth-service, in process. Services are not packages, so its own test helpers are
 * loaded by path at run time. They are typed here by the slice this suite uses: compiling the
 * auth-service's sources into this package's type check would pull in its `declare module
 * 'fastify'` augmentations (its `app.prisma` is another PrismaClient than ours) and tie this
 * package's typecheck to another team's work in progress.
 */
export interface AuthServiceContext {
  app: HttpApp & { jwt: { sign(payload: Record<string, unknown>): string } };
  config: { redis: { keyPrefix: string } };
  keyRing: { active: { kid: string } };
  close(): Promise<void>;
}

interface TestAppModule {
  SERVICE_KEY: string;
  startAuthService(env?: Record<string, string>): Promise<AuthServiceContext>;
}

interface FactoriesModule {
  registerAndLogin(
    app: HttpApp,
    overrides?: Record<string, string>,
  ): Promise<{
    input: { email: string; password: string };
    user: { id: string; email: string; username: string };
    tokens: { accessToken: string; refreshToken: string; sessionId: string };
  }>;
  login(app: HttpApp, identifier: string): Promise<{ accessToken: string; refreshToken: string }>;
}

/** The real auth-service listening on loopback, and a meetings-service wired to it (one Redis prefix). */
export async function startWithRealAuthService(start: (env: Record<string, string>) => Promise<MeetingsContext>) {
  const { startAuthService, SERVICE_KEY: AUTH_SERVICE_KEY } = await authTestApp();
  const auth = await startAuthService();
  await auth.app.listen({ port: 0, host: '127.0.0.1' });
  const authUrl = `http://127.0.0.1:${(auth.app.server.address() as AddressInfo).port}`;
  const meet = await start({
    AUTH_SERVICE_URL: authUrl,
    AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
    AUTH_SERVICE_KEY,
    // Revocations are the auth-service's keys: both services share the deployment prefix.
    REDIS_KEY_PREFIX: auth.config.redis.keyPrefix,
  });
  return { auth, meet };
}

const load = async <T>(relative: string): Promise<T> =>
  (await import(/* @vite-ignore */ new URL(relative, import.meta.url).href)) as T;

export const authTestApp = () => load<TestAppModule>('../../../auth-service/test/test-app.ts');
export const authFactories = () => load<FactoriesModule>('../../../auth-service/test/factories.ts');

interface ImageKitModule {
  solidImage(format: 'jpeg' | 'png' | 'webp' | 'gif', width: number, height: number): Promise<Buffer>;
  uploadAvatar(app: HttpApp, token: string, body: Buffer): Promise<{ statusCode: number; body: string; json(): unknown }>;
}

export const authImageKit = () => load<ImageKitModule>('../../../auth-service/test/image-kit.ts');
