import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, isContract503, login, register } from './support/client.js';
import type { Tokens } from './support/client.js';
import { mixedLoad } from './support/mixed-load.js';
import { sleep } from './support/load.js';
import type { Stack } from './support/stack.js';
import { startStack } from './support/stack.js';

// Dependency outages under mixed load (refresh, auth reads, meetings reads): never a 500, no
// session lost to a 503, no revoked token accepted afterwards, recovery without a restart.

let stack: Stack;
const USERS = 4;
let auth: string;
let meetings: string;
beforeAll(async () => {
  stack = await startStack({ meetingsEnv: { AUTH_CLIENT_BREAKER_RESET_MS: '2000' } });
  auth = stack.auth[0]?.url ?? '';
  meetings = stack.meetings[0]?.url ?? '';
  for (let i = 0; i < USERS; i += 1) await register(auth, 'deps', i);
});
afterAll(async () => stack?.close());

/** Fresh sessions for one scenario, so one scenario's lost session cannot fail the next. */
const freshSessions = () => Promise.all(Array.from({ length: USERS }, (_, i) => login(auth, 'deps', i)));

/** A session logged out before the fault: after it, both services must still refuse its token. */
async function revokedSession(): Promise<Tokens> {
  const tokens = await login(auth, 'deps', 0);
  expect((await call(auth, 'POST', '/v1/auth/logout', { token: tokens.accessToken })).status).toBe(204);
  return tokens;
}

/** The services' error log lines: what a failed expectation needs to be understood. */
const errorLogs = () =>
  [...stack.auth, ...stack.meetings]
    .flatMap((s) => s.logs().split('\n').map((l) => `${s.name}: ${l}`))
    .filter((l) => l.includes('"level":50'))
    .slice(-5)
    .join('\n');

async function expectRefusedEverywhere(tokens: Tokens) {
  const [a, m] = await Promise.all([call(auth, 'GET', '/v1/auth/me', { token: tokens.accessToken }), call(meetings, 'GET', '/v1/meetings', { token: tokens.accessToken })]);
  expect({ auth: a.status, meetings: m.status }).toEqual({ auth: 401, meetings: 401 });
}

async function outage(inject: () => Promise<void> | void, restore: () => Promise<void> | void) {
  const revoked = await revokedSession();
  const load = mixedLoad(stack, await freshSessions());
  try {
    await sleep(1_000);
    await inject();
    await sleep(3_000);
  } finally {
    await restore();
  }
  const recovered = await load.recovered(Date.now());
  await load.stop();
  expect(load.problems(), errorLogs()).toEqual([]);
  expect(recovered).toBe(true);
  await expectRefusedEverywhere(revoked);
  expect((await call(auth, 'GET', '/readyz')).status).toBe(200);
  expect((await call(meetings, 'GET', '/readyz')).status).toBe(200);
}

describe('dependency outages under mixed load', () => {
  it('Postgres stopped for 3 s: 503s only, no session lost, recovers by itself', async () => {
    await outage(() => stack.pg.stop('fast'), () => stack.pg.start());
  });

  it('Redis stopped for 3 s (restarts with its data): 503s only, no session lost, recovers by itself', async () => {
    await outage(() => stack.redis.stop(), () => stack.redis.start());
  });

  it('Redis frozen (SIGSTOP) for 3 s: 503s only, nothing the client gave up on takes effect later', async () => {
    await outage(() => stack.redis.freeze(), () => stack.redis.thaw());
  });

  it('Redis restarted without its data: every old session refused by both services, also by a replica started afterwards', async () => {
    const revoked = await revokedSession();
    const live = await login(auth, 'deps', 1);
    let lost = false;
    const load = mixedLoad(stack, await freshSessions(), { allow401: () => lost });
    await sleep(1_000);
    await stack.redis.stop();
    lost = true;
    await stack.redis.start({ dataLoss: true });
    await sleep(2_000);
    await load.stop();
    expect(load.problems(), errorLogs()).toEqual([]);
    // Self-recovery: a new login works and is accepted everywhere.
    const fresh = await login(auth, 'deps', 2);
    expect((await call(meetings, 'GET', '/v1/meetings', { token: fresh.accessToken })).status).toBe(200);
    // Fail closed: nothing that Redis no longer knows is accepted, by the running replica...
    await expectRefusedEverywhere(revoked);
    await expectRefusedEverywhere(live);
    // ...nor by a meetings replica that starts after the loss with an empty view.
    const replica = stack.meetings[0];
    if (!replica) throw new Error('no meetings-service');
    expect(await replica.kill('SIGTERM')).toBe('exit 0');
    await replica.start();
    await expectRefusedEverywhere(revoked);
    await expectRefusedEverywhere(live);
  });

  it('auth-service unreachable: known users served, an unknown user a fast 503, breaker open in /metrics, recovers', async () => {
    const known = await login(auth, 'deps', 3);
    expect((await call(meetings, 'GET', '/v1/meetings', { token: known.accessToken })).status).toBe(200);
    // A user the meetings-service has never seen: the relay cannot tell it while its route is cut.
    stack.meetingsProxy.cut();
    await register(auth, 'deps-new', 0);
    const unknown = await login(auth, 'deps-new', 0);
    stack.authProxy.cut();
    try {
      for (let i = 0; i < 8; i += 1) {
        const res = await call(meetings, 'GET', '/v1/meetings', { token: unknown.accessToken });
        expect(isContract503(res), JSON.stringify(res.body)).toBe(true);
      }
      // The breaker is open now: the answer no longer waits for timeouts and retries.
      const started = performance.now();
      const fast = await call(meetings, 'GET', '/v1/meetings', { token: unknown.accessToken });
      const tookMs = performance.now() - started;
      expect(isContract503(fast)).toBe(true);
      expect(tookMs).toBeLessThan(1_000);
      expect(await stack.meetings[0]?.metric('service_client_breaker_state', 'name="auth-service"')).toBe(2);
      // Known users are served from the local copy and locally verified tokens.
      for (let i = 0; i < 5; i += 1) expect((await call(meetings, 'GET', '/v1/meetings', { token: known.accessToken })).status).toBe(200);
    } finally {
      stack.authProxy.restore();
      stack.meetingsProxy.restore();
    }
    const back = await (async () => {
      for (let i = 0; i < 100; i += 1) {
        const res = await call(meetings, 'GET', '/v1/meetings', { token: unknown.accessToken });
        if (res.status === 200) return res.status;
        await sleep(200);
      }
      return 'never';
    })();
    expect(back).toBe(200);
  });
});
