import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { DeliveredEvent, MeetingEvents } from './meeting-events.js';

export interface StreamOptions {
  events: MeetingEvents;
  meetingId: string;
  heartbeatMs: number;
  /** Looked up after subscribing: a meeting that ended before that moment would never send its event. */
  currentState: () => Promise<{ status: string; endedAt: Date | null } | null>;
}

function frame(event: DeliveredEvent): string {
  // JSON.stringify never emits a raw newline, so `data:` stays one line.
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * Server-Sent Events for one meeting. The reply is a stream Fastify pipes out (so the security,
 * CORS and request-id headers still apply). Heartbeats are comments (`: ping`) that keep
 * proxies from closing an idle connection. The stream ends after `meeting.ended`, when the
 * client goes away, or when the app shuts down.
 */
export async function streamMeetingEvents(reply: FastifyReply, opts: StreamOptions): Promise<FastifyReply> {
  const stream = new PassThrough();
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  // Assigned once the subscription is confirmed; `close` can run before that (client gone,
  // shutdown while subscribing), so it is a `let` read at call time.
  let unsubscribe: (() => void) | undefined = undefined;

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe?.();
    stream.end();
  };
  const send = (event: DeliveredEvent) => {
    if (closed) return;
    stream.write(frame(event));
    if (event.type === 'meeting.ended') close();
  };

  reply.raw.on('close', close);
  unsubscribe = await opts.events.subscribe(opts.meetingId, { onEvent: send, onShutdown: close });
  if (closed) unsubscribe();
  // Tell EventSource how soon to reconnect, and flush the headers at once.
  stream.write('retry: 3000\n: connected\n\n');

  const state = await opts.currentState().catch(() => undefined);
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
