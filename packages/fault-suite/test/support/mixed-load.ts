import type { Answer, Tokens } from './client.js';
import { call, isContract503 } from './client.js';
import type { Stack } from './stack.js';

export interface SessionWorker {
  tokens: Tokens;
  /** Every answer that breaks the contract: a 500, a 5xx other than the contract's 503, a lost session. */
  problems: string[];
  /** When this worker last completed a refresh, an auth read and a meetings read in a row. */
  lastFullRoundAt: number;
}

/**
 * One client per session doing what a browser does, over and over: refresh its tokens (keeping
 * the old refresh token when the answer was a 503, as a client must), read its profile at the
 * auth-service and its meetings at the meetings-service. A 503 is allowed while a dependency is
 * down; a 500, an off-contract answer, or a session lost (401) is recorded as a problem.
 */
export function mixedLoad(stack: Stack, sessions: Tokens[], opts: { allow401?: () => boolean } = {}) {
  let running = true;
  const workers: SessionWorker[] = sessions.map((tokens) => ({ tokens: { ...tokens }, problems: [], lastFullRoundAt: 0 }));
  const judge = (w: SessionWorker, what: string, a: Answer, ok: number): boolean => {
    if (a.status === ok) return true;
    if (isContract503(a)) return false;
    if (a.status === 401 && opts.allow401?.()) return false;
    w.problems.push(`${what}: ${a.status} ${String(a.body.code ?? JSON.stringify(a.body).slice(0, 160))}`);
    return false;
  };
  const done = Promise.all(
    workers.map(async (w, i) => {
      // A session's first problem is the finding; what follows it (a lost session) is noise.
      while (running && w.problems.length === 0) {
        const auth = stack.auth[i % stack.auth.length]?.url ?? '';
        const meetings = stack.meetings[i % stack.meetings.length]?.url ?? '';
        const refreshed = await call(auth, 'POST', '/v1/auth/refresh', { body: { refreshToken: w.tokens.refreshToken } });
        const r1 = judge(w, 'refresh', refreshed, 200);
        if (r1) w.tokens = { accessToken: String(refreshed.body.accessToken), refreshToken: String(refreshed.body.refreshToken) };
        const r2 = judge(w, 'GET /v1/auth/me', await call(auth, 'GET', '/v1/auth/me', { token: w.tokens.accessToken }), 200);
        const r3 = judge(w, 'GET /v1/meetings', await call(meetings, 'GET', '/v1/meetings', { token: w.tokens.accessToken }), 200);
        if (r1 && r2 && r3) w.lastFullRoundAt = Date.now();
        await new Promise((r) => setTimeout(r, r1 && r2 && r3 ? 20 : 100));
      }
    }),
  );
  return {
    workers,
    /** Resolves once every worker completed a full round after `since`: the system recovered by itself. */
    async recovered(since: number, timeoutMs = 30_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (workers.every((w) => w.lastFullRoundAt > since)) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    },
    problems: () => workers.flatMap((w, i) => w.problems.map((p) => `session ${i}: ${p}`)),
    async stop() {
      running = false;
      await done;
    },
  };
}
