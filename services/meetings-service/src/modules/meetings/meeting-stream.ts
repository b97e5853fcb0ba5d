import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { DeliveredEvent, MeetingEvents } from './meeting-events.js';
import type { StreamEndReason, StreamRegistry } from './stream-registry.js';

/** Whose access the stream lives on: it ends when that access does. */
export interface StreamViewer {
  userId: string;
  sessionId: string;
  /** The access token's `exp`, epoch seconds. */
  expiresAt: number;
  /** The access token's `iat`, epoch seconds. */
  issuedAt: number;
}

export interface StreamOptions {
  events: MeetingEvents;
  registry: StreamRegistry;
  meetingId: string;
  viewer: StreamViewer;
  heartbeatMs: number;
  /** Re-checks the session once the stream is registered (a revocation may have come just before). */
  isRevoked: () => Promise<boolean>;
  /**
   * Looked up after subscribing: a meeting that ended, or a participation that ended, before
   * that moment would never send its event. null: the meeting is gone.
   */
  currentState: () => Promise<{ status: string; endedAt: Date | null; present: boolean } | null>;
  /** Runs once when the stream is over, however it ended (gives back its slot). */
  onEnd: () => void;
}

// setTimeout fires at once beyond 2^31-1 ms; no access token lives that long anyway.
const MAX_TIMER_MS = 2 ** 31 - 1;

function frame(event: DeliveredEvent): string {
  // JSON.stringify never emits a raw newline, so `data:` stays one line.
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

function closedFrame(reason: StreamEndReason): string {
  return `id: ${randomUUID()}\nevent: stream.closed\ndata: ${JSON.stringify({ reason })}\n\n`;
}

/** The event that ends this viewer's stream, if it is one. */
function endingOf(event: DeliveredEvent, userId: string): StreamEndReason | undefined {
  if (event.type === 'meeting.ended') return 'ended';
  if (event.type === 'participant.left' && event.data.userId === userId) return 'left';
  if (event.type === 'participant.removed' && event.data.userId === userId) return 'removed';
  return undefined;
}

/**
 * Server-Sent Events for one meeting. The reply is a stream Fastify pipes out (so the security,
 * CORS and request-id headers still apply). Heartbeats are comments (`: ping`) that keep
 * proxies from closing an idle connection.
 *
 * A stream must never outlive the access that opened it, or it would keep delivering other
 * people's names to someone logged out, expired or gone from the meeting. It ends, after a last
 * `stream.closed` `{ reason }` event, when its session is revoked or its token falls under
 * the user's not-before marker (a role change or a disable; the registry hears both),
 * at the token's `exp` (a timer), when its user leaves or is removed, and when the meeting ends.
 * It also ends, without `stream.closed`, when the client goes away or the app shuts down (the
 * client should simply reconnect, to another replica).
 */
export async function streamMeetingEvents(reply: FastifyReply, opts: StreamOptions): Promise<FastifyReply> {
  const { viewer } = opts;
  const stream = new PassThrough();
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  // Assigned once the subscription is confirmed; `end` can run before that (client gone,
  // revoked or shutdown while subscribing), so it is a `let` read at call time.
  let unsubscribe: (() => void) | undefined = undefined;

  const end = (reason?: StreamEndReason) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(expiry);
    unsubscribe?.();
    unregister();
    if (reason !== undefined) stream.write(closedFrame(reason));
    stream.end();
    opts.onEnd();
  };
  const send = (event: DeliveredEvent) => {
    if (closed) return;
    stream.write(frame(event));
    const reason = endingOf(event, viewer.userId);
    if (reason !== undefined) end(reason);
  };

  const unregister = opts.registry.add({ ...viewer, end });
  const expiry = setTimeout(() => end('expired'), Math.min(MAX_TIMER_MS, Math.max(0, viewer.expiresAt * 1000 - Date.now())));
  expiry.unref();
  reply.raw.on('close', () => end());

  try {
    const off = await opts.events.subscribe(opts.meetingId, { onEvent: send, onShutdown: () => end() });
    if (closed) off();
    else unsubscribe = off;
    // A revocation heard between the token check and `registry.add` ended nothing: ask again.
    if (!closed && (await opts.isRevoked())) end('revoked');
  } catch (error) {
    // Nothing sent yet: the error handler answers (503), and the slot is given back.
    end();
    throw error;
  }
  // Tell EventSource how soon to reconnect, and flush the headers at once.
  if (!closed) stream.write('retry: 3000\n: connected\n\n');

  const state = closed ? undefined : await opts.currentState().catch(() => undefined);
  if (state === null || state?.status === 'ended') {
    send({
      id: randomUUID(),
      type: 'meeting.ended',
      data: {
        meetingId: opts.meetingId,
        endedAt: (state?.endedAt ?? new Date()).toISOString(),
        reason: state === null ? 'deleted' : 'ended',
      },
    });
  } else if (state?.present === false) {
    end('left');
  } else if (!closed) {
    heartbeat = setInterval(() => {
      if (!closed) stream.write(': ping\n\n');
    }, opts.heartbeatMs);
    heartbeat.unref();
  }

  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    // nginx and similar proxies would otherwise buffer the stream.
    .header('x-accel-buffering', 'no')
    .send(stream);
}
