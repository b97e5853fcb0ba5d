import * as crypto from 'node:crypto';
import type * as Crypto from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as SecretCompare from '../src/secret-compare.js';

// Observing the primitive is the only reliable way to pin "constant time" in a test: wall-clock
// measurements on a shared machine are noise. These fail if the helper is rewritten with `===`,
// Buffer.equals, a length check that exits early, or a loop that stops at the first match.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const compared = vi.mocked(crypto.timingSafeEqual);

// Loaded after the mock is in place: the files share one module graph, so another file may have
// loaded the helper with the real timingSafeEqual already.
let secretsEqual: typeof SecretCompare.secretsEqual;
let createSecretMatcher: typeof SecretCompare.createSecretMatcher;
beforeAll(async () => {
  vi.resetModules();
  ({ secretsEqual, createSecretMatcher } = await import('../src/secret-compare.js'));
});

afterEach(() => {
  compared.mockClear();
});

describe('secretsEqual', () => {
  it('is true only for identical secrets', () => {
    expect(secretsEqual('s3cret-value', 's3cret-value')).toBe(true);
    for (const other of ['s3cret-valuE', 's3cret-valu', 's3cret-value ', '', 'S3CRET-VALUE']) {
      expect(secretsEqual(other, 's3cret-value')).toBe(false);
    }
  });

  it('always compares fixed-length digests in constant time, whatever the lengths', () => {
    for (const presented of ['x', 'a much longer presented value than expected', 'same']) {
      compared.mockClear();
      secretsEqual(presented, 'same');
      expect(compared).toHaveBeenCalledTimes(1);
      const [a, b] = compared.mock.calls[0] ?? [];
      expect(Buffer.isBuffer(a) && a.length).toBe(32);
      expect(Buffer.isBuffer(b) && b.length).toBe(32);
    }
  });
});

describe('createSecretMatcher', () => {
  const matcher = () => createSecretMatcher(['first-key', 'second-key', '', 'third-key']);

  it('accepts any listed secret and nothing else; an empty entry matches nothing', () => {
    const matches = matcher();
    for (const key of ['first-key', 'second-key', 'third-key']) expect(matches(key)).toBe(true);
    for (const key of ['', 'first', 'first-key ', 'fourth-key']) expect(matches(key)).toBe(false);
    expect(createSecretMatcher([])('')).toBe(false);
    expect(createSecretMatcher([''])('')).toBe(false);
  });

  it('compares against every non-empty secret, even after a match (no early exit)', () => {
    const matches = matcher();
    for (const key of ['first-key', 'third-key', 'nope']) {
      compared.mockClear();
      matches(key);
      expect(compared).toHaveBeenCalledTimes(3);
    }
  });
});
