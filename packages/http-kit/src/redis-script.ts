import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

export type RedisScriptArg = string | number | Buffer;

/**
 * A Lua script bound to no client: `run(client, numKeys, ...keysThenArgs)` answers what
 * `client.eval(lua, numKeys, ...keysThenArgs)` would (same keys, same keyPrefix, same slot
 * routing in a cluster), but sends only the script's SHA-1 (EVALSHA) as long as the server
 * has the script cached.
 */
export interface RedisScript<R> {
  (client: RedisClient, numKeys: number, ...args: RedisScriptArg[]): Promise<R>;
  readonly lua: string;
  /** SHA-1 of `lua`, hex: the name Redis caches the script under. */
  readonly sha: string;
}

/** The reply of a server that has no script under the SHA sent: nothing ran. */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * EVALSHA first; on NOSCRIPT only (the server's cache is empty after a restart or a SCRIPT
 * FLUSH, or the key's slot is on a node that never ran it), the same call as EVAL, which also
 * caches the script. A NOSCRIPT reply means the script did not run, so the fallback never runs it
 * twice; every other error (one the script raised, a timeout) is the caller's, as with EVAL.
 *
 * Not ioredis's `defineCommand`: that is registered per client instance and untyped at the call
 * site, while these scripts are module constants used with whichever client a module is given.
 * The reply type `R` is the caller's claim about its script, as a cast of `eval`'s reply was.
 */
export function redisScript<R = unknown>(lua: string): RedisScript<R> {
  const sha = createHash('sha1').update(lua).digest('hex');
  const run = async (client: RedisClient, numKeys: number, ...args: RedisScriptArg[]): Promise<R> => {
    try {
      return (await client.evalsha(sha, numKeys, ...args)) as R;
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return (await client.eval(lua, numKeys, ...args)) as R;
    }
  };
  return Object.assign(run, { lua, sha });
}
