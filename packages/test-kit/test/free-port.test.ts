import { describe, expect, it } from 'vitest';
import { freePort } from '../src/index.js';

describe('freePort', () => {
  it('never hands out the same port twice in one process, though none of them is bound yet', async () => {
    // The kernel picks from ~28k ephemeral ports, so a few thousand unbound picks repeat one
    // almost surely: a stack that reserves ports before starting its servers would collide.
    const ports = [];
    for (let i = 0; i < 3000; i += 1) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
