import type { HttpApp } from '@authmeet/http-kit';

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
    tokens: { accessToken: string; sessionId: string };
  }>;
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
