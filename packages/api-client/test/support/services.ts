import { randomUUID } from 'node:crypto';

/**
 * Both services, real and in process, each on its own database, listening on free loopback
 * ports, wired to each other as deployed (one Redis prefix, the meetings-service verifying the
 * auth-service's tokens against its JWKS and looking users up with the service key).
 *
 * They are started through their own test helpers (services/<name>/test/test-app.ts), loaded by
 * path at run time and typed here by the slice used: compiling the services' sources into this
 * package's type check would pull in both services' `declare module 'fastify'` augmentations,
 * which cannot live in one program (each has its own Prisma client on `app.prisma`).
 */
export interface Services {
  authUrl: string;
  meetingsUrl: string;
  close(): Promise<void>;
}

interface ListeningApp {
  listen(opts: { host: string; port: number }): Promise<string>;
}

interface AuthTestApp {
  SERVICE_KEY: string;
  startAuthService(env?: Record<string, string>): Promise<{ app: ListeningApp; config: { redis: { keyPrefix: string } }; close(): Promise<void> }>;
}

interface MeetingsTestApp {
  startMeetingsService(env?: Record<string, string>): Promise<{ app: ListeningApp; close(): Promise<void> }>;
}

const load = async <T>(relative: string): Promise<T> => (await import(/* @vite-ignore */ new URL(relative, import.meta.url).href)) as T;

export interface ServiceSettings {
  /** auth-service environment on top of its test defaults (e.g. `ACCESS_TOKEN_TTL`). */
  auth?: Record<string, string>;
  /** meetings-service environment on top of its test defaults. */
  meetings?: Record<string, string>;
}

export async function startServices(settings: ServiceSettings = {}): Promise<Services> {
  const { startAuthService, SERVICE_KEY } = await load<AuthTestApp>('../../../../services/auth-service/test/test-app.ts');
  const { startMeetingsService } = await load<MeetingsTestApp>('../../../../services/meetings-service/test/test-app.ts');
  const auth = await startAuthService(settings.auth);
  try {
    const authUrl = await auth.app.listen({ host: '127.0.0.1', port: 0 });
    const meetings = await startMeetingsService({
      AUTH_SERVICE_URL: authUrl,
      AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
      AUTH_SERVICE_KEY: SERVICE_KEY,
      // Revocations are the auth-service's Redis keys: both services share the deployment's prefix.
      REDIS_KEY_PREFIX: auth.config.redis.keyPrefix,
      ...settings.meetings,
    });
    const meetingsUrl = await meetings.app.listen({ host: '127.0.0.1', port: 0 }).catch(async (error: unknown) => {
      await meetings.close();
      throw error;
    });
    return {
      authUrl,
      meetingsUrl,
      async close() {
        await meetings.close();
        await auth.close();
      },
    };
  } catch (error) {
    await auth.close();
    throw error;
  }
}

/** Every request the clients sent, with the answer's status and problem code. */
export interface SentRequest {
  method: string;
  path: string;
  status: number;
  code: string | undefined;
}

/** A real fetch that records what it sends: how tests count refreshes and retries. */
export function recordingFetch() {
  const sent: SentRequest[] = [];
  const send = async (request: Request): Promise<Response> => {
    const { method } = request;
    const path = new URL(request.url).pathname;
    const response = await fetch(request);
    let code: string | undefined;
    if ((response.headers.get('content-type') ?? '').includes('json') && !response.ok) {
      code = ((await response.clone().json()) as { code?: string }).code;
    }
    sent.push({ method, path, status: response.status, code });
    return response;
  };
  return { sent, fetch: send, count: (method: string, path: string) => sent.filter((r) => r.method === method && r.path === path).length };
}

export type Recorder = ReturnType<typeof recordingFetch>;

/** A strong password and unique names for a new account. */
export function newAccount() {
  const tag = randomUUID().slice(0, 8);
  return { email: `user-${tag}@example.com`, username: `user_${tag}`, password: `Violet-Harbor-${tag}-93!` };
}

/** A name no other test's tabs share: tabs of one "browser" use the same one. */
export const browserName = () => `authmeet-test-${randomUUID()}`;
