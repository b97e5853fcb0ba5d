import { REVOCATION_CHANNEL, isValidRevocationId, notBeforeMessageSchema, revocationMessageSchema } from '@authmeet/contracts';
import type { NotBeforeMessage, RevocationMessage } from '@authmeet/contracts';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/**
 * Revocation layout shared by the auth-service (writer) and every verifying service (reader).
 * This module is the single source of truth for keys; the channel and its message are the
 * contract's (`@authmeet/contracts`). Do not re-type these strings elsewhere.
 *
 * - Key `revoked:{u:<userId>}:<sessionId>` → "1", SET with a TTL at least as long as an access
 *   token can still be accepted (token lifetime + verifier clock tolerance). Its presence means
 *   "every access token of this session is refused". The `{u:<userId>}` hash tag puts all of a
 *   user's keys in one Redis Cluster slot, so per-user multi-key operations stay possible.
 * - Key `sess:{u:<userId>}:<sessionId>` is the session itself (a hash the auth-service owns,
 *   expiring with the session). Its presence means "the session is alive": verifiers check it
 *   POSITIVELY on first sight of a session, so a session that is gone for any reason (logout,
 *   expiry, or Redis losing its data, which also loses `revoked:` keys) is refused everywhere.
 * - Key `redis-epoch` holds a random id written once, when absent. If it ever changes, Redis lost
 *   its data: every view drops the sessions it had confirmed alive and confirms them again.
 * - Key `nbf:{u:<userId>}` → epoch seconds, the user's "not before" marker: every access token
 *   of the user with `iat` below it is refused (set when the user's roles change or the user is
 *   disabled; new tokens are issued with `iat` at or after it). TTL as for `revoked:` keys: a
 *   token older than that has expired anyway.
 * - Channel `revocations` carries JSON `{ "sub": string, "sid": string, "exp": number }`
 *   (`exp`: epoch seconds after which the revocation no longer matters), or for a not-before
 *   marker `{ "sub": string, "nbf": number, "exp": number }`, so views update in memory without
 *   polling.
 *
 * Clients are created by callers with ioredis `keyPrefix` set; the functions here return keys
 * WITHOUT that prefix (ioredis adds it). ioredis does NOT prefix pub/sub channel names, so the
 * channel actually used on the wire is `keyPrefix + REVOCATION_CHANNEL`, on both sides.
 */
export { REVOCATION_CHANNEL, isValidRevocationId };
export type { NotBeforeMessage, RevocationMessage };

/** A client accepted for key commands (SET/EXISTS/PUBLISH). */
export type RevocationRedisClient = Redis | Cluster;

/** `revoked:{u:<userId>}:<sessionId>`, without the client's keyPrefix. */
export function revokedSessionKey(userId: string, sessionId: string): string {
  if (!isValidRevocationId(userId)) throw new TypeError('invalid user id for revocation key');
  if (!isValidRevocationId(sessionId)) throw new TypeError('invalid session id for revocation key');
  return `revoked:{u:${userId}}:${sessionId}`;
}

/** `sess:{u:<userId>}:<sessionId>`, without the client's keyPrefix: the live session's hash. */
export function sessionAliveKey(userId: string, sessionId: string): string {
  if (!isValidRevocationId(userId)) throw new TypeError('invalid user id for session key');
  if (!isValidRevocationId(sessionId)) throw new TypeError('invalid session id for session key');
  return `sess:{u:${userId}}:${sessionId}`;
}

/** `nbf:{u:<userId>}`, without the client's keyPrefix: the user's not-before marker. */
export function userNotBeforeKey(userId: string): string {
  if (!isValidRevocationId(userId)) throw new TypeError('invalid user id for not-before key');
  return `nbf:{u:${userId}}`;
}

/** The Redis data-epoch marker, without the client's keyPrefix. */
export const REDIS_EPOCH_KEY = 'redis-epoch';

/** The channel name to SUBSCRIBE/PUBLISH on for a client created with `keyPrefix`. */
export function revocationChannelFor(keyPrefix: string): string {
  return keyPrefix + REVOCATION_CHANNEL;
}

/**
 * Keys would silently go to one namespace and channels to another if the prefix passed here
 * differed from the client's own `keyPrefix`; that mismatch must fail loudly at start-up.
 */
export function assertKeyPrefixMatches(client: RevocationRedisClient, keyPrefix: string): void {
  const configured = client.options.keyPrefix ?? '';
  if (configured !== keyPrefix) {
    throw new TypeError('keyPrefix does not match the keyPrefix the ioredis client was created with');
  }
}

function channelJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Parse a channel message; anything malformed is `undefined` (the caller logs and ignores it). */
export function parseRevocationMessage(raw: string): RevocationMessage | undefined {
  const parsed = revocationMessageSchema.safeParse(channelJson(raw));
  return parsed.success ? { sub: parsed.data.sub, sid: parsed.data.sid, exp: parsed.data.exp } : undefined;
}

/** Parse a not-before message; anything else (a session revocation, garbage) is `undefined`. */
export function parseNotBeforeMessage(raw: string): NotBeforeMessage | undefined {
  const parsed = notBeforeMessageSchema.safeParse(channelJson(raw));
  return parsed.success ? { sub: parsed.data.sub, nbf: parsed.data.nbf, exp: parsed.data.exp } : undefined;
}

export interface NotBeforeInput {
  readonly sub: string;
  /** Epoch seconds: tokens with a smaller `iat` are refused. */
  readonly nbf: number;
  /** Seconds the marker must hold: ≥ access-token lifetime + verifier clock tolerance. */
  readonly ttlSec: number;
}

/**
 * Appends a user's not-before marker to a MULTI (SET before PUBLISH, as for revocations).
 * Used when a user's roles change or the user is disabled: tokens minted before the change
 * carry stale claims and are refused by every service at once.
 */
export function appendNotBefore(tx: ChainableCommander, keyPrefix: string, input: NotBeforeInput): ChainableCommander {
  if (!Number.isInteger(input.ttlSec) || input.ttlSec <= 0) throw new TypeError('ttlSec must be a positive integer');
  if (!Number.isInteger(input.nbf) || input.nbf <= 0) throw new TypeError('nbf must be a positive integer');
  const message: NotBeforeMessage = { sub: input.sub, nbf: input.nbf, exp: input.nbf + input.ttlSec };
  return tx
    .set(userNotBeforeKey(input.sub), String(input.nbf), 'EX', input.ttlSec)
    .publish(revocationChannelFor(keyPrefix), JSON.stringify(message));
}

export interface PublishRevocationInput {
  readonly sub: string;
  readonly sid: string;
  /** Seconds the revocation must hold: ≥ access-token lifetime + verifier clock tolerance. */
  readonly ttlSec: number;
}

/**
 * Appends a session's revocation to a MULTI the caller builds (e.g. together with deleting the
 * session itself, so a logout is all or nothing). SET comes before PUBLISH so any view that
 * confirms with EXISTS after seeing (or missing) the message finds the key.
 */
export function appendRevocation(tx: ChainableCommander, keyPrefix: string, input: PublishRevocationInput): ChainableCommander {
  const key = revokedSessionKey(input.sub, input.sid);
  if (!Number.isInteger(input.ttlSec) || input.ttlSec <= 0) throw new TypeError('ttlSec must be a positive integer');
  const message: RevocationMessage = {
    sub: input.sub,
    sid: input.sid,
    exp: Math.floor(Date.now() / 1000) + input.ttlSec,
  };
  return tx.set(key, '1', 'EX', input.ttlSec).publish(revocationChannelFor(keyPrefix), JSON.stringify(message));
}

/** Runs a MULTI built with appendRevocation; rejects if any command failed. */
export async function execRevocations(tx: ChainableCommander): Promise<void> {
  const results = await tx.exec();
  if (results === null) throw new Error('revocation transaction aborted');
  for (const [err] of results) {
    if (err !== null) throw err;
  }
}

/**
 * Revoke a session (used by the auth-service). SET and PUBLISH go in one MULTI so they happen
 * together: a SET without its PUBLISH would leave views that already confirmed the session as
 * "not revoked" answering from memory until the token expires.
 * Rejects on failure; the caller must retry or fail the logout/revoke request.
 */
export async function publishRevocation(
  redis: RevocationRedisClient,
  keyPrefix: string,
  input: PublishRevocationInput,
): Promise<void> {
  assertKeyPrefixMatches(redis, keyPrefix);
  await execRevocations(appendRevocation(redis.multi(), keyPrefix, input));
}
