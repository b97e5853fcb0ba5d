import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { boundedCache } from './bounded-cache.js';
import { RevocationUnavailableError } from './errors.js';
import {
  REDIS_EPOCH_KEY,
  assertKeyPrefixMatches,
  parseNotBeforeMessage,
  parseRevocationMessage,
  revocationChannelFor,
  revokedSessionKey,
  sessionAliveKey,
  userNotBeforeKey,
} from './revocation-layout.js';
import type { RevocationRedisClient } from './revocation-layout.js';
import { withTimeout } from './timeout.js';
import type { RevocationChecker, RevocationClaims } from './types.js';

/** pino-compatible subset. */
export interface RevocationLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info?(obj: Record<string, unknown>, msg: string): void;
}

export interface RedisRevocationViewOptions {
  /** Client for the session checks and the data-epoch marker, created with `keyPrefix`. */
  readonly redis: RevocationRedisClient;
  /**
   * Dedicated standalone connection for SUBSCRIBE; its own keyPrefix is irrelevant. Not closed
   * by the view. With Redis Cluster, pass a plain `Redis` connected to any node (PUBLISH is
   * broadcast cluster-wide): the view must see that exact connection's close/ready events.
   */
  readonly subscriber: Redis;
  readonly keyPrefix: string;
  readonly logger?: RevocationLogger;
  /** Give up on an EXISTS (or health-check PING) after this long. Default 1000. */
  readonly confirmTimeoutMs?: number;
  /** Sessions remembered as confirmed-not-revoked (LRU; eviction only costs a re-check). Default 100000. */
  readonly confirmedMaxEntries?: number;
  /**
   * PING the subscriber, check the Redis data-epoch marker and sweep expired entries this
   * often; 0 disables. Default 5000.
   */
  readonly healthCheckIntervalMs?: number;
}

export interface RevocationViewStats {
  readonly subscribed: boolean;
  /** Generation of confirmations: +1 per subscription established and per Redis data loss seen. */
  readonly epoch: number;
  /** Times the data-epoch marker changed: Redis lost its data and confirmations were dropped. */
  readonly dataResets: number;
  readonly revokedInMemory: number;
  readonly confirmedSessions: number;
  /** Session-check round trips made so far. */
  readonly redisChecks: number;
}

/** Told of a revoked session: `sub` is the user id, `sid` the session id. */
export type RevocationListener = (sub: string, sid: string) => void;

/** Told of a user's new not-before marker: tokens of `sub` with `iat` below `nbf` are refused. */
export type NotBeforeListener = (sub: string, nbf: number) => void;

export interface RedisRevocationView extends RevocationChecker {
  /** Subscribe; resolves once Redis acknowledged the subscription. */
  start(): Promise<void>;
  /**
   * Calls `listener` for every revocation that arrives by pub/sub (after the view has recorded
   * it, so `isRevoked` already answers true inside the listener). For long-lived work opened
   * under a token, such as event streams, that must end when its session does; all listeners
   * share the view's one subscription. Returns the function that removes the listener.
   */
  onRevoked(listener: RevocationListener): () => void;
  /**
   * Calls `listener` for every not-before marker that arrives by pub/sub (a role change or a
   * disable), after the view has recorded it. Work opened under one of the user's tokens ends
   * if that token's `iat` is below `nbf`. Returns the function that removes the listener.
   */
  onNotBefore(listener: NotBeforeListener): () => void;
  /** Stop listening; afterwards isRevoked throws. Leaves the caller's connections open. */
  close(): Promise<void>;
  stats(): RevocationViewStats;
}

/** Keep in-memory revocations a little past their exp to absorb clock skew between hosts. */
const EXPIRY_GRACE_SEC = 60;
/** Client states in which a command cannot be answered soon; fail fast instead of queueing. */
const UNAVAILABLE_STATUSES = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

const nowSec = (): number => Math.floor(Date.now() / 1000);

/**
 * RevocationChecker backed by Redis, answering from memory on the hot path.
 *
 * A session is live only while its `sess:` key exists and no `revoked:` key does; both are read
 * in one round trip on first sight. The positive check is what makes the view fail closed when
 * Redis loses its data: the `revoked:` markers are lost too, but so is every session, so a
 * logged-out or lost session is refused rather than assumed clean.
 *
 * Correctness argument: a revocation deletes the session and SETs its marker before it is
 * PUBLISHed (one MULTI). While our subscription is continuously up, every later revocation
 * reaches `revoked` via pub/sub. So a session confirmed live *while subscribed in epoch E* stays
 * correctly "not revoked" for as long as the epoch is still E. Any interruption (connection
 * close, failed health check) clears `subscribed`; the next successful SUBSCRIBE starts a new
 * epoch, which invalidates every earlier confirmation, so sessions revoked during the gap are
 * found by a fresh check. Redis losing its data without our connection noticing (a failover to
 * an empty replica behind a proxy, a flush) changes the data-epoch marker; the health check
 * sees that and also starts a new epoch.
 * When neither memory nor Redis can answer, isRevoked throws (the verifier fails closed).
 */
export function createRedisRevocationView(options: RedisRevocationViewOptions): RedisRevocationView {
  const { redis, subscriber, keyPrefix, logger } = options;
  // Only the command client's prefix matters: channels are never prefixed by ioredis, so the
  // subscriber may be created with or without one (http-kit creates it without).
  assertKeyPrefixMatches(redis, keyPrefix);
  const channel = revocationChannelFor(keyPrefix);
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 1_000;
  const healthCheckIntervalMs = options.healthCheckIntervalMs ?? 5_000;

  /** memory id (the unprefixed Redis key) → epoch seconds until which it must stay revoked. */
  const revoked = new Map<string, number>();
  /** memory id → subscription epoch in which EXISTS confirmed "not revoked". */
  const confirmed = boundedCache<string, number>(options.confirmedMaxEntries ?? 100_000);
  const inFlight = new Map<string, Promise<boolean>>();
  const listeners = new Set<RevocationListener>();
  const notBeforeListeners = new Set<NotBeforeListener>();
  /**
   * user id → not-before marker (tokens with a smaller iat are refused) and until when it
   * matters. Read with every session confirmation, then kept current by pub/sub, so it is as
   * authoritative as the confirmations it sits next to.
   */
  const notBefore = new Map<string, { nbf: number; until: number }>();
  let epoch = 0;
  let subscribed = false;
  let started = false;
  let closed = false;
  let pendingSubscribes = 0;
  let redisChecks = 0;
  let dataResets = 0;
  /** The data-epoch marker's value as last read; undefined until first read. */
  let dataEpoch: string | undefined;
  let timer: NodeJS.Timeout | undefined;

  function markRevoked(id: string, until: number): void {
    revoked.set(id, Math.max(revoked.get(id) ?? 0, until));
    confirmed.delete(id);
  }

  function forget(id: string): void {
    revoked.delete(id);
    // Without its memory entry the session must be re-checked, never assumed clean.
    // Stryker disable next-line CallExpression: belt and braces: markRevoked already dropped the confirmation, and confirm() never stores one for a session held in `revoked`
    confirmed.delete(id);
  }

  function sweep(): void {
    const now = nowSec();
    for (const [id, until] of revoked) {
      if (until + EXPIRY_GRACE_SEC < now) forget(id);
    }
    for (const [sub, marker] of notBefore) {
      if (marker.until + EXPIRY_GRACE_SEC < now) notBefore.delete(sub);
    }
  }

  function interrupted(reason: string): void {
    if (!subscribed) return;
    subscribed = false;
    logger?.warn({ reason, epoch }, 'revocation subscription interrupted; confirming sessions with Redis');
  }

  /**
   * Reads the data-epoch marker, writing a fresh one if it is absent. A value other than the
   * one seen before means Redis lost its data: every confirmation is dropped at once.
   */
  async function checkDataEpoch(): Promise<void> {
    if (closed) return;
    const results = await withTimeout(
      redis.multi().set(REDIS_EPOCH_KEY, randomUUID(), 'NX').get(REDIS_EPOCH_KEY).exec(),
      confirmTimeoutMs,
      'data epoch check timed out',
    );
    // Stryker disable next-line OptionalChaining: a MULTI's exec() answers null only for an aborted WATCH, and there is none
    const current = results?.[1]?.[1];
    // Stryker disable next-line ConditionalExpression: GET right after SET NX always answers a string; the check is for the type
    if (typeof current !== 'string') return;
    if (dataEpoch !== undefined && current !== dataEpoch) {
      epoch += 1;
      dataResets += 1;
      confirmed.clear();
      logger?.warn({ epoch }, 'Redis lost its data (epoch marker changed); confirming every session again');
    }
    dataEpoch = current;
  }

  function checkDataEpochInBackground(): void {
    checkDataEpoch().catch((err: unknown) => {
      if (!closed) logger?.warn({ err }, 'data epoch check failed; will retry');
    });
  }

  async function subscribe(): Promise<void> {
    pendingSubscribes += 1;
    try {
      await subscriber.subscribe(channel);
      // The ack arrived on the live connection, so from here on no message can be missed.
      if (closed || subscriber.status !== 'ready') return;
      epoch += 1;
      subscribed = true;
      logger?.info?.({ epoch }, 'revocation subscription active');
      checkDataEpochInBackground();
    } finally {
      pendingSubscribes -= 1;
    }
  }

  function resubscribe(): void {
    subscribe().catch((err: unknown) => {
      logger?.warn({ err }, 'revocation subscribe failed; will retry');
    });
  }

  function markNotBefore(sub: string, nbf: number, until: number): void {
    const current = notBefore.get(sub);
    if (current === undefined || nbf > current.nbf) notBefore.set(sub, { nbf, until });
  }

  /** One failing listener must not keep the news from the others. */
  function tell<A extends unknown[]>(set: Set<(...args: A) => void>, ...args: A): void {
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        logger?.warn({ err }, 'revocation listener failed');
      }
    }
  }

  const onMessage = (from: string, raw: string): void => {
    if (from !== channel) return;
    const cutoff = parseNotBeforeMessage(raw);
    if (cutoff !== undefined) {
      markNotBefore(cutoff.sub, cutoff.nbf, cutoff.exp);
      tell(notBeforeListeners, cutoff.sub, cutoff.nbf);
      return;
    }
    const message = parseRevocationMessage(raw);
    if (message === undefined) {
      logger?.warn({ channel }, 'ignoring malformed revocation message');
      return;
    }
    markRevoked(revokedSessionKey(message.sub, message.sid), message.exp);
    tell(listeners, message.sub, message.sid);
  };
  let reconnected = false;
  const onClose = (): void => {
    reconnected = true;
    interrupted('connection closed');
  };
  // Subscribe ourselves on every reconnect rather than relying on ioredis autoResubscribe:
  // only our own SUBSCRIBE's acknowledgement tells us when the new epoch really starts.
  const onReady = (): void => {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: belt and braces: start() adds this listener and close() removes it
    if (!started || closed) return;
    if (!reconnected) return;
    // Stryker disable next-line BooleanLiteral: every later "ready" follows a "close", which sets it again
    reconnected = false;
    resubscribe();
  };

  async function healthCheck(): Promise<void> {
    sweep();
    checkDataEpochInBackground();
    if (subscribed) {
      const epochAtPing = epoch;
      try {
        // Stryker disable next-line StringLiteral: the message is swallowed by the catch below
        await withTimeout(subscriber.ping(), confirmTimeoutMs, 'subscriber ping timed out');
      } catch {
        // A silently dead socket delivers no messages; stop vouching until re-subscribed.
        if (epoch === epochAtPing) {
          interrupted('health check failed');
          resubscribe();
        }
      }
    } else if (pendingSubscribes === 0 && subscriber.status === 'ready') {
      resubscribe();
    }
  }

  async function confirm(id: string, claims: RevocationClaims): Promise<boolean> {
    if (UNAVAILABLE_STATUSES.has(redis.status)) {
      throw new RevocationUnavailableError('revocation store unreachable');
    }
    const epochAtStart = epoch;
    const subscribedAtStart = subscribed;
    redisChecks += 1;
    let live: boolean;
    try {
      // One round trip: both keys carry the user's hash tag, so one Cluster node answers both.
      const results = await withTimeout(
        redis
          .pipeline()
          .exists(id)
          .exists(sessionAliveKey(claims.sub, claims.sid)).get(userNotBeforeKey(claims.sub))
          .pttl(userNotBeforeKey(claims.sub))
          .exec(),
        confirmTimeoutMs,
        'revocation check timed out',
      );
      // Stryker disable next-line ArrayDeclaration: a pipeline's exec() answers null only for an aborted WATCH, and there is none
      const [revokedReply, aliveReply, nbfReply, ttlReply] = results ?? [];
      // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral,CallExpression: a pipeline answers every command it was given, so the replies are always there; the check is for the type
      if (!revokedReply || !aliveReply || !nbfReply) throw new Error('revocation check failed');
      // A command Redis refused (a key of the wrong type, an ACL without access) is no answer.
      if (revokedReply[0] || aliveReply[0] || nbfReply[0]) throw new Error('revocation check failed');
      live = revokedReply[1] === 0 && aliveReply[1] === 1;
      const nbf = Number(nbfReply[1]);
      // Held in memory for as long as Redis holds it (its TTL outlasts every token it refuses).
      // Stryker disable next-line OptionalChaining: the fourth reply is always there (see above)
      const ttlMs = Number(ttlReply?.[1]);
      if (typeof nbfReply[1] === 'string' && Number.isFinite(nbf)) {
        markNotBefore(claims.sub, nbf, nowSec() + Math.max(Math.ceil(ttlMs / 1000), 0));
      }
    } catch (err) {
      throw new RevocationUnavailableError('revocation store unreachable', { cause: err });
    }
    if (!live) {
      // A gone session never comes back (session ids are random); holding it until this
      // token's exp is enough for this token, and later tokens of the session re-check.
      markRevoked(id, claims.exp);
      return true;
    }
    // Only a subscription that was up before the check was sent and never broke since can vouch
    // for the future; otherwise answer this call only and re-check next time.
    // A message that arrived while the check was in flight wins.
    if (revoked.has(id) || predatesNotBefore(claims)) return true;
    // Belt and braces: an entry is read back only under the current epoch, which changes whenever
    // `subscribed` turns true again or Redis loses its data, so one stored under an epoch that
    // did not stay subscribed throughout is never read; the conditions only keep memory clean.
    // Stryker disable next-line ConditionalExpression,LogicalOperator: see above
    if (subscribedAtStart && subscribed && epoch === epochAtStart) confirmed.set(id, epochAtStart);
    return false;
  }

  function predatesNotBefore(claims: RevocationClaims): boolean {
    const marker = notBefore.get(claims.sub);
    if (marker === undefined) return false;
    // A token without iat (an event stream's re-check of its session) is not refused by a marker.
    return (claims.iat ?? Infinity) < marker.nbf;
  }

  return {
    async isRevoked(claims: RevocationClaims): Promise<boolean> {
      if (closed) throw new RevocationUnavailableError('revocation view closed');
      if (predatesNotBefore(claims)) return true;
      const id = revokedSessionKey(claims.sub, claims.sid);
      const until = revoked.get(id);
      if (until !== undefined) {
        if (until + EXPIRY_GRACE_SEC >= nowSec()) return true;
        forget(id);
      }
      if (subscribed && confirmed.get(id) === epoch) return false;
      // Concurrent first-time checks of one session share a single EXISTS.
      const pending = inFlight.get(id);
      if (pending !== undefined) return pending;
      const check = confirm(id, claims).finally(() => inFlight.delete(id));
      inFlight.set(id, check);
      return check;
    },

    async start(): Promise<void> {
      if (closed) throw new Error('revocation view closed');
      if (started) throw new Error('revocation view already started');
      started = true;
      subscriber.on('message', onMessage);
      subscriber.on('close', onClose);
      subscriber.on('ready', onReady);
      if (healthCheckIntervalMs > 0) {
        timer = setInterval(() => void healthCheck(), healthCheckIntervalMs);
        timer.unref();
      }
      await subscribe();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      subscribed = false;
      clearInterval(timer);
      subscriber.off('message', onMessage);
      subscriber.off('close', onClose);
      subscriber.off('ready', onReady);
      revoked.clear();
      confirmed.clear();
      notBefore.clear();
      if (started && subscriber.status === 'ready') {
        // Stryker disable next-line StringLiteral: the message is swallowed by the catch
        await withTimeout(subscriber.unsubscribe(channel), confirmTimeoutMs, 'unsubscribe timed out').catch(
          () => undefined,
        );
      }
    },

    onRevoked(listener: RevocationListener): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    onNotBefore(listener: NotBeforeListener): () => void {
      notBeforeListeners.add(listener);
      return () => {
        notBeforeListeners.delete(listener);
      };
    },

    stats(): RevocationViewStats {
      sweep();
      return { subscribed, epoch, dataResets, revokedInMemory: revoked.size, confirmedSessions: confirmed.size, redisChecks };
    },
  };
}
