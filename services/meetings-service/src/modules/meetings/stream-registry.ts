import type { RevocationClaims } from '@authmeet/auth-tokens';

import type { z } from 'zod';
import type { streamEndReason } from './meetings.schemas.js';

/** Why a stream ended, sent as the last event `stream.closed` `{ reason }` (api.md). */
export type StreamEndReason = z.infer<typeof streamEndReason>;

/** An open event stream as the registry sees it: whose access it lives on, and how to end it. */
export interface OpenStream {
  readonly userId: string;
  readonly sessionId: string;
  /** Epoch seconds: the access token's `exp`. */
  readonly expiresAt: number;
  /** Epoch seconds: the access token's `iat` (a not-before marker above it ends the stream). */
  readonly issuedAt: number;
  end(reason: StreamEndReason): void;
}

export interface StreamRegistryLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface StreamRegistryOptions {
  /** The revocation view's check: answered from memory unless its subscription was interrupted. */
  isRevoked(claims: RevocationClaims): Promise<boolean>;
  /** How often every open stream's session is re-checked (0 disables). */
  recheckMs: number;
  log: StreamRegistryLogger;
}

export interface StreamRegistry {
  /** Registers an open stream; returns the function that forgets it (call it when it ends). */
  add(stream: OpenStream): () => void;
  /** Ends the streams opened under one session (it was revoked). */
  endSession(userId: string, sessionId: string, reason: StreamEndReason): void;
  /**
   * Ends every stream of a user on this replica, whatever the session: for anything that takes
   * a user's access away as a whole (e.g. disabling the account).
   */
  endUser(userId: string, reason: StreamEndReason): void;
  /**
   * Ends the user's streams opened with a token issued before `notBefore` (epoch seconds): the
   * user's roles changed or the account was disabled, and such tokens are refused now.
   */
  endIssuedBefore(userId: string, notBefore: number, reason: StreamEndReason): void;
  /** Streams open on this replica (exported as a gauge). */
  size(): number;
  close(): void;
}

/**
 * The event streams open on this replica, indexed by user, so that whatever takes access away
 * (a revoked session, a disabled user) ends exactly the streams living on that access.
 *
 * Revocations and not-before markers (a role change, a disable) arrive through the revocation
 * view's pub/sub listeners (one subscription per replica). A message published while that
 * subscription was down is never delivered, so every open stream's token is also re-checked
 * every `recheckMs`: from memory while the view is
 * subscribed, with one EXISTS per session after a reconnect. A check that cannot be answered
 * (Redis down) keeps the stream: nothing can be published meanwhile, and the next check decides.
 */
export function createStreamRegistry(opts: StreamRegistryOptions): StreamRegistry {
  const byUser = new Map<string, Set<OpenStream>>();
  let count = 0;

  const endWhere = (userId: string, reason: StreamEndReason, match: (s: OpenStream) => boolean) => {
    const set = byUser.get(userId);
    if (set === undefined) return;
    // end() unregisters the stream, which mutates the set: iterate over a copy.
    for (const stream of [...set]) if (match(stream)) stream.end(reason);
  };

  let checking = false;
  async function recheck(): Promise<void> {
    if (checking) return;
    checking = true;
    try {
      const streams = [...byUser.values()].flatMap((set) => [...set]);
      await Promise.all(
        streams.map(async (s) => {
          // Stryker disable next-line ArrowFunction: a check that fails answering undefined instead of false keeps the stream just the same
          const revoked = await opts.isRevoked({ sub: s.userId, sid: s.sessionId, exp: s.expiresAt, iat: s.issuedAt }).catch(() => false);
          if (revoked) s.end('revoked');
        }),
      );
    } catch (err) {
      opts.log.warn({ err }, 'open streams could not be re-checked');
    } finally {
      checking = false;
    }
  }
  const timer = opts.recheckMs > 0 ? setInterval(() => void recheck(), opts.recheckMs) : undefined;
  timer?.unref();

  return {
    add(stream) {
      let set = byUser.get(stream.userId);
      if (set === undefined) {
        set = new Set();
        byUser.set(stream.userId, set);
      }
      set.add(stream);
      count += 1;
      return () => {
        const current = byUser.get(stream.userId);
        if (!current?.delete(stream)) return;
        count -= 1;
        // Stryker disable next-line ConditionalExpression,CallExpression: an empty set left behind holds only memory; nothing the registry answers or ends changes
        if (current.size === 0) byUser.delete(stream.userId);
      };
    },
    endSession: (userId, sessionId, reason) => endWhere(userId, reason, (s) => s.sessionId === sessionId),
    endUser: (userId, reason) => endWhere(userId, reason, () => true),
    endIssuedBefore: (userId, notBefore, reason) => endWhere(userId, reason, (s) => s.issuedAt < notBefore),
    size: () => count,
    close: () => clearInterval(timer),
  };
}
