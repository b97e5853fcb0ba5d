import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { meetingEventTypes } from '@authmeet/contracts';
import type { DeliveredEvent, MeetingEvent } from '@authmeet/contracts';
import { redisUnavailable } from '@authmeet/http-kit';
import type { RedisClient } from '@authmeet/http-kit';
import type { Redis } from 'ioredis';

export type { DeliveredEvent, MeetingEvent };

export interface EventSink {
  /** `frame`: the event as one Server-Sent Events frame, built once for all the sinks that get it. */
  onEvent(event: DeliveredEvent, frame: Buffer): void;
  /** The app is shutting down: finish the stream. */
  onShutdown(): void;
}

export interface MeetingEventsLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface MeetingEvents {
  /** Best effort: a Redis failure is logged, never thrown (the change itself is already committed). */
  publish(meetingId: string, event: MeetingEvent): Promise<void>;
  /** Resolves once Redis confirmed the subscription; returns the unsubscribe function. */
  subscribe(meetingId: string, sink: EventSink): Promise<() => void>;
  /** Ends every open stream (app shutdown). */
  shutdown(): void;
  streams(): number;
}

const eventTypes = new Set<string>(meetingEventTypes);
const SUBSCRIBE_TIMEOUT_MS = 2_000;

/** One Server-Sent Events frame (`id`, `event`, `data` lines), UTF-8 encoded once for every socket it goes to. */
export function sseFrame(event: DeliveredEvent): Buffer {
  // JSON.stringify never emits a raw newline, so `data:` stays one line.
  return Buffer.from(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
}

function parse(raw: string): DeliveredEvent | undefined {
  try {
    const value = JSON.parse(raw) as Partial<DeliveredEvent> | null;
    if (value && typeof value.id === 'string' && typeof value.type === 'string' && eventTypes.has(value.type) && typeof value.data === 'object') {
      return value as DeliveredEvent;
    }
  } catch {
    // fall through: a foreign or corrupt message is ignored
  }
  return undefined;
}

/**
 * Meeting events across replicas through Redis pub/sub: one channel per meeting, published by
 * whichever replica made the change and received by every replica with a stream open on it.
 * All streams of this instance share the one subscriber connection; a channel is subscribed
 * while at least one local stream needs it. ioredis does not prefix channel names, so the key
 * prefix is added here by hand to keep deployments sharing a Redis apart.
 */
export function createMeetingEvents(opts: { publisher: RedisClient; subscriber: Redis; channelPrefix: string; log: MeetingEventsLogger }): MeetingEvents {
  const { publisher, subscriber, log } = opts;
  const channelOf = (meetingId: string) => `${opts.channelPrefix}meeting:${meetingId}:events`;
  const sinks = new Map<string, Set<EventSink>>();

  subscriber.on('message', (channel: string, raw: string) => {
    const local = sinks.get(channel);
    if (local === undefined) return;
    const event = parse(raw);
    if (event === undefined) {
      log.warn({ channel }, 'ignoring malformed meeting event');
      return;
    }
    // One frame per event, shared by every local stream of the meeting (not one JSON.stringify per listener).
    const frame = sseFrame(event);
    for (const sink of [...local]) sink.onEvent(event, frame);
  });

  // The subscriber connection does not re-subscribe by itself (ioredis's autoResubscribe sends
  // its SUBSCRIBE with no rejection handler, so a connection that drops again before the answer
  // becomes an unhandled rejection). Every channel with a local stream is subscribed again here,
  // once per reconnect; a failure is logged and retried on the next "ready".
  let dropped = false;
  let resubscribing = 0;
  subscriber.on('close', () => {
    dropped = true;
  });
  subscriber.on('ready', () => {
    if (!dropped) return;
    dropped = false;
    const channels = [...sinks.keys()];
    if (channels.length === 0) return;
    resubscribing += 1;
    subscriber
      .subscribe(...channels)
      .catch((err: unknown) => log.warn({ err, channels: channels.length }, 'meeting event channels not re-subscribed; retrying on reconnect'))
      .finally(() => {
        resubscribing -= 1;
      });
  });

  function release(channel: string, sink: EventSink) {
    const set = sinks.get(channel);
    if (!set?.delete(sink) || set.size > 0) return;
    sinks.delete(channel);
    // Commands on one connection run in order, so a later SUBSCRIBE for the same channel wins.
    subscriber.unsubscribe(channel).catch((err: unknown) => log.warn({ err, channel }, 'unsubscribe failed'));
  }

  return {
    async publish(meetingId, event) {
      const message = JSON.stringify({ id: randomUUID(), ...event });
      try {
        await publisher.publish(channelOf(meetingId), message);
      } catch (err) {
        log.warn({ err, meetingId, type: event.type }, 'meeting event not published');
      }
    },

    async subscribe(meetingId, sink) {
      const channel = channelOf(meetingId);
      let set = sinks.get(channel);
      const first = set === undefined;
      if (set === undefined) {
        set = new Set();
        sinks.set(channel, set);
      }
      set.add(sink);
      if (first || subscriber.status !== 'ready' || resubscribing > 0) {
        // Even a channel already in use waits for a live (and re-subscribed) connection:
        // otherwise the caller would tell its client "subscribed" while events are being missed.
        const abort = new AbortController();
        try {
          await Promise.race([
            subscriber.subscribe(channel),
            delay(SUBSCRIBE_TIMEOUT_MS, undefined, { signal: abort.signal }).then(() => {
              throw new Error('Command timed out');
            }),
          ]);
        } catch (err) {
          release(channel, sink);
          throw redisUnavailable(err);
        } finally {
          abort.abort();
        }
      }
      return () => release(channel, sink);
    },

    shutdown() {
      for (const set of sinks.values()) for (const sink of [...set]) sink.onShutdown();
    },

    streams() {
      let n = 0;
      for (const set of sinks.values()) n += set.size;
      return n;
    },
  };
}
