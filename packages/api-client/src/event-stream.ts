import type { SessionManager } from './session.js';

/** One Server-Sent Event; `data` is parsed JSON (the raw text when it is not JSON). */
export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/**
 * Why a stream is over: the meetings-service's `stream.closed` reasons (`revoked`, `left`,
 * `removed`, `ended`, and `expired` when the session could not be renewed), `refused` when it
 * answered the request with an error (`status` says which), or `closed` when the caller closed it.
 */
export interface StreamEnd {
  reason: string;
  status?: number;
}

export interface EventStreamOptions {
  onEvent(event: StreamEvent): void;
  /** Once, when the stream is over for good. */
  onEnd?(end: StreamEnd): void;
  /**
   * Each time a connection is established (the first, and after every reconnection): the
   * service replays nothing missed meanwhile, so a reconnection is the moment to reload state.
   */
  onOpen?(info: { reconnected: boolean }): void;
  /** Wait before reconnecting after the connection dropped without `stream.closed` (default: the server's `retry:`, else 3 s). */
  reconnectMs?: number;
}

export interface EventStream {
  close(): void;
  /** Resolves with the same value `onEnd` gets. */
  readonly ended: Promise<StreamEnd>;
}

const STREAM_CLOSED = 'stream.closed';

/**
 * Reads a `text/event-stream` (e.g. `GET /v1/meetings/{id}/events`) through the session, so the
 * access token goes in a header (EventSource cannot send one) and an expired one is renewed.
 *
 * The last event `stream.closed` `{ reason }` decides what follows: `expired` (the access token
 * ran out) reconnects with a fresh token; `revoked` signs every tab out with `session.revoked`;
 * `left`, `removed` and `ended` end the stream. A connection that drops without it (a replica
 * restarting) reconnects after the server's `retry:` delay, as EventSource does. The
 * meetings-service does not replay missed events: reload the meeting's state in `onEvent`'s
 * caller after a reconnect if that matters.
 */
export function openEventStream(session: SessionManager, url: string, options: EventStreamOptions): EventStream {
  const abort = new AbortController();
  let finish: (end: StreamEnd) => void = () => {};
  const ended = new Promise<StreamEnd>((resolve) => {
    let done = false;
    finish = (end) => {
      if (done) return;
      done = true;
      abort.abort();
      options.onEnd?.(end);
      resolve(end);
    };
  });

  let opened = false;
  /** `reconnect`: dropped, try again after the retry delay; `renew`: expired and renewed, go on at once. */
  const connect = async (retry: { ms: number }): Promise<StreamEnd | 'reconnect' | 'renew'> => {
    let response: Response;
    try {
      response = await session.fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    } catch {
      return 'reconnect';
    }
    // The token the stream was opened with (after any refresh-and-retry inside fetch).
    const token = session.accessToken;
    if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || response.body === null) {
      await response.body?.cancel();
      return { reason: 'refused', status: response.status };
    }
    let closedWith: string | undefined;
    options.onOpen?.({ reconnected: opened });
    opened = true;
    try {
      for await (const frame of readEvents(response.body, abort.signal)) {
        if (frame.retry !== undefined && options.reconnectMs === undefined) retry.ms = frame.retry;
        if (frame.event === undefined) continue;
        if (frame.event.event === STREAM_CLOSED) {
          closedWith = readReason(frame.event.data);
          break;
        }
        options.onEvent(frame.event);
      }
    } catch {
      // The connection broke mid-stream: like a clean end without stream.closed.
    }
    if (closedWith === undefined) return 'reconnect';
    if (closedWith === 'revoked') {
      await session.sessionEnded('SESSION_REVOKED', 'stream');
      return { reason: 'revoked' };
    }
    // The stream lived as long as its access token: go on with a new one, if the session goes on.
    if (closedWith === 'expired') return token !== null && (await session.replaceAccessToken(token)) ? 'renew' : { reason: 'expired' };
    return { reason: closedWith };
  };

  const run = async (): Promise<StreamEnd> => {
    const retry = { ms: options.reconnectMs ?? 3000 };
    let lastRenewal = 0;
    for (;;) {
      const outcome = await connect(retry);
      if (abort.signal.aborted) return { reason: 'closed' };
      if (outcome !== 'reconnect' && outcome !== 'renew') return outcome;
      // Two renewals in a row within the retry delay (clocks disagree): slow down like a drop.
      const now = Date.now();
      const wait = outcome === 'reconnect' || now - lastRenewal < retry.ms;
      if (outcome === 'renew') lastRenewal = now;
      if (wait) await new Promise((resolve) => setTimeout(resolve, retry.ms));
      if (abort.signal.aborted) return { reason: 'closed' };
    }
  };

  run().then(finish, () => finish({ reason: 'closed' }));
  return { close: () => finish({ reason: 'closed' }), ended };
}

function readReason(data: unknown): string {
  const reason = typeof data === 'object' && data !== null ? (data as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : 'unknown';
}

interface Frame {
  event?: StreamEvent;
  retry?: number;
}

/** The SSE wire format (HTML Living Standard, "Server-sent events"), one dispatched frame at a time. */
export async function* readEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Frame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: RegExpExecArray | null;
      while ((newline = /\r\n|\r|\n/.exec(buffer)) !== null) {
        // A lone \r at the end may be the first half of \r\n: wait for more.
        if (newline[0] === '\r' && newline.index === buffer.length - 1) break;
        const line = buffer.slice(0, newline.index);
        buffer = buffer.slice(newline.index + newline[0].length);
        if (line === '') {
          if (data.length > 0) yield { event: { id, event: event || 'message', data: parseData(data.join('\n')) } };
          data = [];
          event = '';
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id' && !value.includes('\0')) id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) yield { retry: Number(value) };
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    cancel();
  }
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
