import { createHash, randomBytes } from 'node:crypto';
import { redisScript } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';

/** NIST SP 800-63 assurance of a login: one factor, or two (or a passkey). */
export type Assurance = 'aal1' | 'aal2';
/** RFC 8176 method of a first factor: a password or a federated (Google) sign-in. */
export type FirstFactor = 'pwd' | 'fed';

/** How the session was authenticated; stored with it, so refreshed tokens keep saying so. */
export interface Authentication {
  amr: string[];
  acr: Assurance;
  /** Epoch ms of the login. */
  authTime: number;
}

export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  methods: ('totp' | 'recovery_code')[];
}

export interface PendingLogin {
  userId: string;
  firstFactor: FirstFactor;
}

/**
 * The `mfaToken` of a login whose first factor passed: base64url(user id ‖ 256 random bits).
 * Redis keeps only its SHA-256, under the user's hash tag, with the first factor and the count
 * of wrong codes; the key expires with the token. Taking it is one DEL, so it works once.
 *
 *   mfa:{u:<uid>}:<sha256>   hash  ff (first factor), f (wrong codes). TTL = MFA_TOKEN_TTL.
 */
const TOKEN_BYTES = 16 + 32;

// KEYS: token key. ARGV: max wrong codes. Counts one wrong code; the last one allowed kills it.
const failScript = redisScript<number>(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = redis.call('HINCRBY', KEYS[1], 'f', 1)
if n >= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
return n
`);

function parse(token: string): { userId: string; key: string } | undefined {
  // Stryker disable next-line Regex,ConditionalExpression: the key is the SHA-256 of the whole string, so anything but an issued token names a key that does not exist; this spares the work
  if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  // Stryker disable next-line ConditionalExpression: 64 base64url characters always decode to 48 bytes; kept should the format change
  if (raw.length !== TOKEN_BYTES) return undefined;
  const h = raw.subarray(0, 16).toString('hex');
  const userId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return { userId, key: `mfa:{u:${userId}}:${createHash('sha256').update(token).digest('base64url')}` };
}

/** The pending login a token's stored first factor (`ff`) describes; undefined when there is none. */
export function pendingLogin(userId: string, ff: string | null | undefined): PendingLogin | undefined {
  return ff === 'pwd' || ff === 'fed' ? { userId, firstFactor: ff } : undefined;
}

export function createMfaTokenStore(redis: RedisClient, opts: { ttlSec: number; maxAttempts: number }) {
  return {
    async issue(userId: string, firstFactor: FirstFactor): Promise<string> {
      const token = Buffer.concat([Buffer.from(userId.replaceAll('-', ''), 'hex'), randomBytes(32)]).toString('base64url');
      const parsed = parse(token);
      if (!parsed) throw new Error('user id is not a UUID');
      await redis.multi().hset(parsed.key, { ff: firstFactor, f: 0 }).expire(parsed.key, opts.ttlSec).exec();
      return token;
    },

    /** The pending login, or undefined for a malformed, unknown, used, expired or dead token. */
    async find(token: string): Promise<PendingLogin | undefined> {
      const parsed = parse(token);
      if (!parsed) return undefined;
      return pendingLogin(parsed.userId, await redis.hget(parsed.key, 'ff'));
    },

    /**
     * The token as a one-time pass for the login throttle, which reads (`ff`, see `pendingLogin`)
     * and takes it in its own scripts: the user's throttle keys share the token's hash slot.
     * Undefined for a malformed token (whose key could not exist).
     */
    pass(token: string): { userId: string; key: string; field: 'ff' } | undefined {
      const parsed = parse(token);
      return parsed && { ...parsed, field: 'ff' };
    },

    /** Counts a wrong code against the token; it dies at the maximum. */
    async fail(token: string): Promise<void> {
      const parsed = parse(token);
      if (parsed) await failScript(redis, 1, parsed.key, opts.maxAttempts);
    },

    /** True for the one caller that takes a live token. */
    async take(token: string): Promise<boolean> {
      const parsed = parse(token);
      return parsed !== undefined && (await redis.del(parsed.key)) === 1;
    },
  };
}

export type MfaTokenStore = ReturnType<typeof createMfaTokenStore>;
