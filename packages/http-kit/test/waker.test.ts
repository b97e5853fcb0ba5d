import { describe, expect, it } from 'vitest';
import { createWaker } from '../src/waker.js';

const timed = async (fn: () => Promise<void>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

describe('createWaker', () => {
  it('sleeps the full time without a signal', async () => {
    expect(await timed(() => createWaker().sleep(60))).toBeGreaterThanOrEqual(55);
  });

  it('a signal cuts a sleep short', async () => {
    const waker = createWaker();
    setTimeout(() => waker.wake(), 10);
    expect(await timed(() => waker.sleep(5_000))).toBeLessThan(1_000);
  });

  it('a signal while awake is remembered for the next sleep, once', async () => {
    const waker = createWaker();
    waker.wake();
    expect(await timed(() => waker.sleep(5_000))).toBeLessThan(50);
    expect(await timed(() => waker.sleep(60))).toBeGreaterThanOrEqual(55);
  });
});
