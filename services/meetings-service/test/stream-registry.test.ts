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
});
