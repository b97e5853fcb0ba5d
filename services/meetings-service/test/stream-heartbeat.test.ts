import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStreamHeartbeat } from '../src/modules/meetings/stream-heartbeat.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function pingable() {
  return { pings: 0, ping() { this.pings += 1; } };
}

describe('createStreamHeartbeat', () => {
  it('pings every registered stream once per interval, from one timer', () => {
    const heartbeat = createStreamHeartbeat(1000);
    const streams = [pingable(), pingable(), pingable()];
    for (const s of streams) heartbeat.add(s);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(streams.map((s) => s.pings)).toEqual([0, 0, 0]);
    vi.advanceTimersByTime(1);
    expect(streams.map((s) => s.pings)).toEqual([1, 1, 1]);
    vi.advanceTimersByTime(3000);
    expect(streams.map((s) => s.pings)).toEqual([4, 4, 4]);
    heartbeat.close();
  });

  it('a stream added between ticks gets its first ping within one interval', () => {
    const heartbeat = createStreamHeartbeat(1000);
    heartbeat.add(pingable());
    vi.advanceTimersByTime(600);
    const late = pingable();
    heartbeat.add(late);
    vi.advanceTimersByTime(400);
    expect(late.pings).toBe(1);
    heartbeat.close();
  });

  it('stops pinging a removed stream, keeps the others, and runs no timer with no stream', () => {
    const heartbeat = createStreamHeartbeat(1000);
    const a = pingable();
    const b = pingable();
    const removeA = heartbeat.add(a);
    const removeB = heartbeat.add(b);
    vi.advanceTimersByTime(1000);
    removeA();
    removeA();
    vi.advanceTimersByTime(2000);
    expect([a.pings, b.pings]).toEqual([1, 3]);
    expect(heartbeat.size()).toBe(1);
    removeB();
    expect(heartbeat.size()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // Back to work once a stream comes again.
    const c = pingable();
    heartbeat.add(c);
    vi.advanceTimersByTime(1000);
    expect(c.pings).toBe(1);
    heartbeat.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a stream that ends (itself or another) during a tick leaves the others pinged', () => {
    const heartbeat = createStreamHeartbeat(1000);
    const before = pingable();
    const after = pingable();
    let removeSecond: () => void = () => undefined;
    let removeSelf: () => void = () => undefined;
    const ending = {
      pings: 0,
      ping() {
        this.pings += 1;
        removeSelf();
        removeSecond();
      },
    };
    heartbeat.add(before);
    removeSelf = heartbeat.add(ending);
    removeSecond = heartbeat.add(after);
    const third = pingable();
    heartbeat.add(third);
    vi.advanceTimersByTime(2000);
    expect(ending.pings).toBe(1);
    expect([before.pings, after.pings]).toEqual([2, 0]);
    expect(third.pings).toBe(2);
    heartbeat.close();
  });
});
