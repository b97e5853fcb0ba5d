import { eventually } from '@authmeet/test-kit';
import { describe, expect, it } from 'vitest';
import { createStreamRegistry } from '../src/modules/meetings/stream-registry.js';
import type { OpenStream, StreamEndReason } from '../src/modules/meetings/stream-registry.js';

const silent = { warn: () => undefined };

function fakeStream(userId: string, sessionId: string, ended: string[], issuedAt = Math.floor(Date.now() / 1000)) {
  let unregister = () => {};
  const stream: OpenStream = {
    userId,
    sessionId,
    expiresAt: issuedAt + 900,
    issuedAt,
    end(reason: StreamEndReason) {
      ended.push(`${userId}/${sessionId}:${reason}`);
      unregister();
    },
  };
  return { stream, register: (u: () => void) => (unregister = u) };
}

describe('stream registry', () => {
  it('ends the streams of one session, or every stream of a user, and nothing else', () => {
    const registry = createStreamRegistry({ isRevoked: async () => false, recheckMs: 0, log: silent });
    const ended: string[] = [];
    for (const [u, s] of [['u1', 's1'], ['u1', 's1'], ['u1', 's2'], ['u2', 's1']] as const) {
      const f = fakeStream(u, s, ended);
      f.register(registry.add(f.stream));
    }
    expect(registry.size()).toBe(4);
    registry.endSession('u1', 's1', 'revoked');
    expect(ended).toEqual(['u1/s1:revoked', 'u1/s1:revoked']);
    expect(registry.size()).toBe(2);
    // Generic: whatever takes a user's access away as a whole (e.g. disabling the account).
    registry.endUser('u1', 'revoked');
    expect(ended).toEqual(['u1/s1:revoked', 'u1/s1:revoked', 'u1/s2:revoked']);
    expect(registry.size()).toBe(1);
    registry.endUser('nobody', 'revoked');
    expect(registry.size()).toBe(1);
    registry.close();
  });

  it('forgetting a stream twice (or after it ended) changes nothing', () => {
    const registry = createStreamRegistry({ isRevoked: async () => false, recheckMs: 0, log: silent });
    const ended: string[] = [];
    const f = fakeStream('u1', 's1', ended);
    const forget = registry.add(f.stream);
    const other = fakeStream('u1', 's2', ended);
    other.register(registry.add(other.stream));
    forget();
    forget();
    expect(registry.size()).toBe(1);
    registry.endUser('u1', 'revoked');
    expect(ended).toEqual(['u1/s2:revoked']);
    forget();
    expect(registry.size()).toBe(0);
    registry.close();
  });

  it('close stops the re-checks', async () => {
    let calls = 0;
    const registry = createStreamRegistry({
      isRevoked: async () => {
        calls += 1;
        return false;
      },
      recheckMs: 20,
      log: silent,
    });
    const f = fakeStream('u1', 's1', []);
    f.register(registry.add(f.stream));
    await eventually(() => expect(calls).toBeGreaterThan(0), 2000);
    registry.close();
    const after = calls;
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(after);
  });

  it('ends the streams of a user opened with tokens issued before a not-before marker, and nothing else', () => {
    const registry = createStreamRegistry({ isRevoked: async () => false, recheckMs: 0, log: silent });
    const ended: string[] = [];
    for (const [u, s, iat] of [['u1', 'old', 100], ['u1', 'edge', 199], ['u1', 'new', 200], ['u2', 'old', 100]] as const) {
      const f = fakeStream(u, s, ended, iat);
      f.register(registry.add(f.stream));
    }
    // A token issued in the marker's second or later carries the new claims: it stays.
    registry.endIssuedBefore('u1', 200, 'revoked');
    expect(ended).toEqual(['u1/old:revoked', 'u1/edge:revoked']);
    expect(registry.size()).toBe(2);
    registry.endIssuedBefore('nobody', 200, 'revoked');
    expect(registry.size()).toBe(2);
    registry.close();
  });

  it('re-checks with the token\'s iat, so a not-before marker missed by pub/sub still ends the stream', async () => {
    const checked: (number | undefined)[] = [];
    const registry = createStreamRegistry({
      isRevoked: async (claims) => {
        checked.push(claims.iat);
        return claims.iat !== undefined && claims.iat < 200;
      },
      recheckMs: 20,
      log: silent,
    });
    const ended: string[] = [];
    for (const [s, iat] of [['old', 150], ['new', 250]] as const) {
      const f = fakeStream('u1', s, ended, iat);
      f.register(registry.add(f.stream));
    }
    await eventually(() => expect(ended).toEqual(['u1/old:revoked']), 2000);
    expect(checked).toContain(250);
    expect(registry.size()).toBe(1);
    registry.close();
  });

  it('re-checks open sessions periodically and keeps streams it cannot check', async () => {
    let revoked = false;
    let unavailable = true;
    const registry = createStreamRegistry({
      isRevoked: async () => {
        if (unavailable) throw new Error('Redis down');
        return revoked;
      },
      recheckMs: 20,
      log: silent,
    });
    const ended: string[] = [];
    const f = fakeStream('u1', 's1', ended);
    f.register(registry.add(f.stream));
    await new Promise((r) => setTimeout(r, 100));
    expect(ended).toEqual([]);
    unavailable = false;
    revoked = true;
    await eventually(() => expect(ended).toEqual(['u1/s1:revoked']), 2000);
    expect(registry.size()).toBe(0);
    registry.close();
  });
  it('does not start a re-check while the last one still runs, and goes on once it ends', async () => {
    let calls = 0;
    let answer: (revoked: boolean) => void = () => undefined;
    const registry = createStreamRegistry({
      isRevoked: () => {
        calls += 1;
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
      recheckMs: 20,
      log: silent,
    });
    const ended: string[] = [];
    const f = fakeStream('u1', 's1', ended);
    f.register(registry.add(f.stream));
    await eventually(() => expect(calls).toBe(1), 2000);
    // Many periods later the slow check is still the only one.
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
    answer(false);
    await eventually(() => expect(calls).toBe(2), 2000);
    answer(true);
    await eventually(() => expect(ended).toEqual(['u1/s1:revoked']), 2000);
    registry.close();
  });

  it('with recheckMs 0 never re-checks; its timer, when there is one, does not keep the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    let calls = 0;
    const isRevoked = async () => {
      calls += 1;
      return true;
    };
    const before = timers();
    const off = createStreamRegistry({ isRevoked, recheckMs: 0, log: silent });
    const on = createStreamRegistry({ isRevoked: async () => false, recheckMs: 1000, log: silent });
    expect(timers()).toBe(before);
    const ended: string[] = [];
    const f = fakeStream('u1', 's1', ended);
    f.register(off.add(f.stream));
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(0);
    expect(ended).toEqual([]);
    off.close();
    on.close();
  });

  it('logs a round that fails (a stream that cannot be ended) and keeps re-checking', async () => {
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const failure = new Error('socket already destroyed');
    const registry = createStreamRegistry({
      isRevoked: async () => true,
      recheckMs: 20,
      log: { warn: (obj, msg) => void warnings.push({ obj, msg }) },
    });
    const stream: OpenStream = {
      userId: 'u1',
      sessionId: 's1',
      expiresAt: Math.floor(Date.now() / 1000) + 900,
      issuedAt: Math.floor(Date.now() / 1000),
      end() {
        throw failure;
      },
    };
    registry.add(stream);
    await eventually(() => expect(warnings.length).toBeGreaterThanOrEqual(2), 2000);
    expect(warnings[0]).toEqual({ obj: { err: failure }, msg: 'open streams could not be re-checked' });
    registry.close();
  });
});
