import { randomUUID } from 'node:crypto';
import { uniqueRedisPrefix } from '@authmeet/test-kit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisScript } from '../src/redis-script.js';

// Against the shared test Redis (standalone). Each test's script carries a random comment, so its
// SHA is its own: no other test (here or in any other run on this Redis) loads or uses it.
// SCRIPT FLUSH empties the server's whole script cache, which every caller survives by design
// (the fallback this file tests); keys are never flushed.

const url = 'redis://127.0.0.1:6379';
const keyPrefix = uniqueRedisPrefix('http-kit-script');
const client = new Redis(url, { keyPrefix });
/** No prefix: reads keys as stored, and asks the server about the scripts and `client`. */
const admin = new Redis(url);
afterAll(() => {
  client.disconnect();
  admin.disconnect();
});

const unique = (lua: string) => `-- ${randomUUID()}\n${lua}`;

/** Counts its runs in KEYS[1], then answers a reply of every shape (status, number, string, nested, nil). */
const echoLua = `
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
return {n, KEYS[1], ARGV[1], tonumber(ARGV[2]) * 2, {redis.call('GET', KEYS[2]), false}, redis.status_reply('FINE')}`;

const scriptExists = async (sha: string) => ((await admin.script('EXISTS', sha)) as number[])[0];

/** The last command the server ran for a connection (CLIENT LIST is per connection: other tests' traffic does not show). */
async function lastCommandOf(id: number): Promise<string | undefined> {
  const line = String(await admin.client('LIST', 'ID', String(id)));
  return /\bcmd=(\S+)/.exec(line)?.[1];
}

describe('redisScript', () => {
  it('answers what EVAL answers, with the client\'s keyPrefix applied to the keys', async () => {
    const lua = unique(echoLua);
    const script = redisScript<unknown[]>(lua);
    const viaEval = await client.eval(lua, 2, 'eval:n', 'eval:v', 'value', 21);
    const first = await script(client, 2, 'script:n', 'script:v', 'value', 21);
    const second = await script(client, 2, 'script:n', 'script:v', 'value', 21);
    expect(first).toEqual([1, `${keyPrefix}script:n`, 'value', 42, ['value', null], 'FINE']);
    expect(first).toEqual((viaEval as unknown[]).map((v) => (v === `${keyPrefix}eval:n` ? `${keyPrefix}script:n` : v)));
    expect(second).toEqual([2, ...first.slice(1)]);
    expect(await admin.get(`${keyPrefix}script:v`)).toBe('value');
    expect(script.sha).toBe(await admin.script('LOAD', lua));
  });

  it('sends EVALSHA once the server has the script, EVAL only when it has not', async () => {
    const script = redisScript(unique(echoLua));
    const own = new Redis(url, { keyPrefix });
    try {
      const id = await own.client('ID');
      await script(own, 2, 'wire:n', 'wire:v', 'v', 1);
      // Never loaded before: EVALSHA answered NOSCRIPT, and the script ran as EVAL.
      expect(await lastCommandOf(id)).toBe('eval');
      await script(own, 2, 'wire:n', 'wire:v', 'v', 1);
      expect(await lastCommandOf(id)).toBe('evalsha');
      expect(await admin.get(`${keyPrefix}wire:n`)).toBe('2');
    } finally {
      own.disconnect();
    }
  });

  it('after SCRIPT FLUSH, the next call still succeeds, runs once, and caches the script again', async () => {
    const script = redisScript(unique(echoLua));
    await script(client, 2, 'flush:n', 'flush:v', 'v', 1);
    expect(await scriptExists(script.sha)).toBe(1);

    await admin.script('FLUSH');
    expect(await scriptExists(script.sha)).toBe(0);
    await expect(script(client, 2, 'flush:n', 'flush:v', 'v', 1)).resolves.toEqual([2, `${keyPrefix}flush:n`, 'v', 2, ['v', null], 'FINE']);
    expect(await admin.get(`${keyPrefix}flush:n`)).toBe('2');
    expect(await scriptExists(script.sha)).toBe(1);
  });

  it('lets an error the script raises through, without running the script again as EVAL', async () => {
    // The message even mentions NOSCRIPT: only a server's own NOSCRIPT reply means "did not run".
    const script = redisScript(unique(`redis.call('INCR', KEYS[1])\nerror('NOSCRIPT lookalike: a failure of the script itself')`));
    // Not cached yet: EVALSHA answers NOSCRIPT, the EVAL runs it once and its error is the answer.
    await expect(script(client, 1, 'error:n')).rejects.toThrow(/lookalike/);
    expect(await admin.get(`${keyPrefix}error:n`)).toBe('1');
    // Cached: the EVALSHA runs it, fails, and nothing else is sent.
    await expect(script(client, 1, 'error:n')).rejects.toThrow(/lookalike/);
    expect(await admin.get(`${keyPrefix}error:n`)).toBe('2');
  });

  it('lets any other failure through (a key of the wrong type)', async () => {
    const script = redisScript(unique(`return redis.call('INCR', KEYS[1])`));
    await client.sadd('wrongtype', 'member');
    await expect(script(client, 1, 'wrongtype')).rejects.toThrow(/WRONGTYPE/);
    await expect(script(client, 1, 'wrongtype')).rejects.toThrow(/WRONGTYPE/);
    expect(await client.smembers('wrongtype')).toEqual(['member']);
  });
});
