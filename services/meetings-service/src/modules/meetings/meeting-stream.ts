import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeHijackedHead } from '@authmeet/http-kit';
import type { FastifyReply } from 'fastify';
import { sseFrame } from './meeting-events.js';
import type { DeliveredEvent, EventSink, MeetingEvents } from './meeting-events.js';
import type { StreamHeartbeat } from './stream-heartbeat.js';
import type { OpenStream, StreamEndReason, StreamRegistry } from './stream-registry.js';

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
  /** The one timer that pings every open stream. */
  heartbeat: StreamHeartbeat;
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

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx and similar proxies would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};
const PING = Buffer.from(': ping\n\n');
// Tells EventSource how soon to reconnect, and flushes the headers at once.
const CONNECTED = Buffer.from('retry: 3000\n: connected\n\n');

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
 * The bearer token was checked before the stream opened and is never read again: a stream does
 * not keep it for its whole life (~0.7 KB each, and one copy of a credential fewer in memory).
 */
function forgetAuthorization(req: IncomingMessage): void {
  delete req.headers.authorization;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') raw[i + 1] = '';
}

/**
 * One open stream: what the registry (whose access), the meeting's events (a sink) and the
 * heartbeat hold of it, in one object with no per-stream closures but `onClose`. It writes to
 * the raw response; the Fastify reply is kept only until the head is written.
 */
class MeetingStream implements OpenStream, EventSink {
  readonly userId: string;
  readonly sessionId: string;
  readonly expiresAt: number;
  readonly issuedAt: number;
  closed = false;
  /** Set once the head is written (the reply is hijacked then). */
  res: ServerResponse | undefined = undefined;
  private reply: FastifyReply | undefined;
  private readonly onEnd: () => void;
  private readonly unregister: () => void;
  // Assigned once the subscription is confirmed; `end` can run before that (client gone,
  // revoked or shutdown while subscribing).
  unsubscribe: (() => void) | undefined = undefined;
  private stopHeartbeat: (() => void) | undefined = undefined;
  private readonly expiry: NodeJS.Timeout;

  constructor(reply: FastifyReply, viewer: StreamViewer, registry: StreamRegistry, onEnd: () => void) {
    this.userId = viewer.userId;
    this.sessionId = viewer.sessionId;
    this.expiresAt = viewer.expiresAt;
    this.issuedAt = viewer.issuedAt;
    this.reply = reply;
    this.onEnd = onEnd;
    this.unregister = registry.add(this);
    this.expiry = setTimeout(() => this.end('expired'), Math.min(MAX_TIMER_MS, Math.max(0, viewer.expiresAt * 1000 - Date.now())));
    this.expiry.unref();
    reply.raw.once('close', this.onClose);
  }

  readonly onClose = (): void => this.end();

  /** Writes the head (once): 200 and every header the reply would have had. */
  open(): ServerResponse {
    if (this.res === undefined) {
      const reply = this.reply as FastifyReply;
      this.res = writeHijackedHead(reply, 200, STREAM_HEADERS);
      forgetAuthorization(reply.request.raw);
      this.reply = undefined;
    }
    return this.res;
  }

  write(chunk: Buffer | string): void {
    this.open().write(chunk);
  }

  onEvent(event: DeliveredEvent, frame: Buffer): void {
    if (this.closed) return;
    const reason = endingOf(event, this.userId);
    if (reason === undefined) this.write(frame);
    else this.end(reason, frame);
  }

  onShutdown(): void {
    this.end();
  }

  ping(): void {
    if (!this.closed) this.res?.write(PING);
  }

  startHeartbeat(heartbeat: StreamHeartbeat): void {
    if (!this.closed) this.stopHeartbeat = heartbeat.add(this);
  }

  /** Ends the stream; with a reason, after a last `stream.closed` (and the event that ended it). */
  end(reason?: StreamEndReason, last?: Buffer): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiry);
    this.stopHeartbeat?.();
    this.unsubscribe?.();
    this.unregister();
    if (reason !== undefined) {
      const res = this.open();
      if (last !== undefined) res.write(last);
      res.end(closedFrame(reason));
    } else {
      // Before the head, nothing is sent yet: the route answers (an error, or an empty 200).
      this.res?.end();
    }
    this.onEnd();
  }
}

/**
 * Server-Sent Events for one meeting. The reply is hijacked and written to directly (no stream
 * piped per response); its head still carries the security, CORS and request-id headers, and
 * the request is still counted and logged when the response finishes. Heartbeats are comments
 * (`: ping`), from one timer for all streams, that keep proxies from closing an idle connection.
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
  const stream = new MeetingStream(reply, opts.viewer, opts.registry, opts.onEnd);

  try {
    const off = await opts.events.subscribe(opts.meetingId, stream);
    if (stream.closed) off();
    else stream.unsubscribe = off;
    // A revocation heard between the token check and `registry.add` ended nothing: ask again.
    if (!stream.closed && (await opts.isRevoked())) stream.end('revoked');
  } catch (error) {
    // Nothing sent yet: the error handler answers (503), and the slot is given back.
    stream.end();
    throw error;
  }
  if (!stream.closed) stream.write(CONNECTED);

  const state = stream.closed ? undefined : await opts.currentState().catch(() => undefined);
  if (state === null || state?.status === 'ended') {
    const event: DeliveredEvent = {
      id: randomUUID(),
      type: 'meeting.ended',
      data: {
        meetingId: opts.meetingId,
        endedAt: (state?.endedAt ?? new Date()).toISOString(),
        reason: state === null ? 'deleted' : 'ended',
      },
    };
    stream.onEvent(event, sseFrame(event));
  } else if (state?.present === false) {
    stream.end('left');
  } else {
    stream.startHeartbeat(opts.heartbeat);
  }

  // Ended before anything was written (shut down while subscribing): an empty 200, as before.
  if (stream.res === undefined) stream.open().end();
  return reply;
}
