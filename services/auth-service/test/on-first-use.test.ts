import { describe, expect, it } from 'vitest';
import { onFirstUse } from '../src/on-first-use.js';

describe('onFirstUse', () => {
  it('loads nothing until the first call, then once for every call, concurrent or later', async () => {
    let loads = 0;
    const lib = onFirstUse(async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { name: 'lib' };
    });
    expect([loads, lib.started, lib.value]).toEqual([0, false, undefined]);
    const [a, b] = await Promise.all([lib(), lib()]);
    const c = await lib();
    expect(loads).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(lib.value).toBe(a);
    expect(lib.started).toBe(true);
  });

  it('does not keep a failed load: the next call loads again', async () => {
    let loads = 0;
    const lib = onFirstUse(async () => {
      loads += 1;
      if (loads === 1) throw new Error('first load fails');
      return loads;
    });
    await expect(lib()).rejects.toThrow('first load fails');
    expect([lib.started, lib.value]).toEqual([false, undefined]);
    expect(await lib()).toBe(2);
    expect(await lib()).toBe(2);
    expect(loads).toBe(2);
  });

  it('ifStarted hands over the value only if a load started, waiting for one under way', async () => {
    let release = (_value: string) => undefined as void;
    const lib = onFirstUse(() => new Promise<string>((resolve) => (release = resolve)));
    const closed: string[] = [];
    expect(await lib.ifStarted((v) => closed.push(v))).toBeUndefined();
    void lib();
    const closing = lib.ifStarted((v) => closed.push(`closed ${v}`));
    release('client');
    await closing;
    expect(closed).toEqual(['closed client']);
  });

  it('ifStarted after a failed load gives undefined without calling back', async () => {
    const lib = onFirstUse(() => Promise.reject(new Error('down')));
    const loading = lib().catch(() => 'failed');
    const used: unknown[] = [];
    expect(await lib.ifStarted((v) => used.push(v))).toBeUndefined();
    expect(await loading).toBe('failed');
    expect(used).toEqual([]);
  });
});
