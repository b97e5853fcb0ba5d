export const PASSWORD = 'Correct-Horse-Battery-9-Staple';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** One JSON request; a network error is an answer with status 0 (the caller decides if it is allowed). */
export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = { text };
    }
    return { status: res.status, body, headers: res.headers };
  } catch (error) {
    return { status: 0, body: { error: String((error as Error).cause ?? error) }, headers: new Headers() };
  }
}

const user = (tag: string, i: number) => ({ email: `${tag}.${i}@example.com`, username: `${tag}_${i}` });

export async function register(auth: string, tag: string, i: number): Promise<string> {
  const res = await call(auth, 'POST', '/v1/auth/register', { body: { ...user(tag, i), password: PASSWORD, firstName: 'First', lastName: `L${i}` } });
  if (res.status !== 201) throw new Error(`register ${tag}_${i}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.user as { id: string }).id;
}

export async function login(auth: string, tag: string, i: number): Promise<Tokens> {
  const res = await call(auth, 'POST', '/v1/auth/login', { body: { identifier: user(tag, i).username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login ${tag}_${i}: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: String(res.body.accessToken), refreshToken: String(res.body.refreshToken) };
}

/** Registers and logs in `count` users, a few at a time (argon2id dominates). */
export async function signUp(auth: string, tag: string, count: number): Promise<{ id: string; tokens: Tokens }[]> {
  const out: { id: string; tokens: Tokens }[] = [];
  for (let i = 0; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, (_, k) => i + k);
    out.push(...(await Promise.all(batch.map(async (n) => ({ id: await register(auth, tag, n), tokens: await login(auth, tag, n) })))));
  }
  return out;
}

/** A 503 as the contract says it: problem+json, DEPENDENCY_UNAVAILABLE, Retry-After. */
export function isContract503(a: Answer): boolean {
  return (
    a.status === 503 &&
    (a.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
    a.headers.get('retry-after') !== null &&
    a.body.code === 'DEPENDENCY_UNAVAILABLE'
  );
}
