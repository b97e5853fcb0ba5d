// @ts-check
// Server-Sent Events over fetch(). EventSource cannot send an Authorization header, and a token
// in the URL would land in proxy and server logs, so the stream is read with a ReadableStream
// reader and parsed here (the text/event-stream format: "field: value" lines, blank line ends
// an event, lines starting with ":" are comments such as heartbeats).

/**
 * @typedef {{ type: string, id: string | null, data: unknown }} StreamEvent
 * @typedef {'connecting' | 'live' | 'reconnecting' | 'closed'} StreamState
 */

/**
 * Splits a text/event-stream into events. Feed it chunks; it keeps partial lines between calls.
 * @param {(event: StreamEvent) => void} onEvent
 */
export function createEventParser(onEvent) {
  let buffer = '';
  /** @type {{ type: string, id: string | null, data: string[] }} */
  let pending = { type: 'message', id: null, data: [] };

  function dispatch() {
    if (pending.data.length > 0) {
      const text = pending.data.join('\n');
      /** @type {unknown} */
      let data = text;
      try {
        data = JSON.parse(text);
      } catch {
        // not JSON: hand over the text as it is
      }
      onEvent({ type: pending.type, id: pending.id, data });
    }
    pending = { type: 'message', id: null, data: [] };
  }

  /** @param {string} chunk */
  return function feed(chunk) {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        dispatch();
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') pending.type = value;
      else if (field === 'data') pending.data.push(value);
      else if (field === 'id') pending.id = value;
    }
  };
}

/**
 * Follows a meeting's event stream until `signal` aborts, reconnecting with backoff when the
 * connection drops. `getToken` is asked on every (re)connection, so a refreshed token is used.
 * The server keeps no replay (Last-Event-ID is ignored): on every 'live' after the first the
 * caller reloads its state.
 * @param {string} meetingId
 * @param {{
 *   getToken: () => string | null,
 *   refresh: () => Promise<boolean>,
 *   onEvent: (event: StreamEvent) => void,
 *   onState: (state: StreamState, detail?: string) => void,
 *   signal: AbortSignal,
 * }} options
 */
export async function followMeeting(meetingId, options) {
  const { signal } = options;
  let attempt = 0;
  while (!signal.aborted) {
    options.onState(attempt === 0 ? 'connecting' : 'reconnecting');
    const token = options.getToken();
    if (token === null) break;
    try {
      /** @type {Record<string, string>} */
      const headers = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
      const res = await fetch(`/v1/meetings/${encodeURIComponent(meetingId)}/events`, { headers, signal, cache: 'no-store' });
      if (res.status === 401) {
        // An expired token is renewed once; a revoked session ends the stream for good.
        if (await options.refresh()) continue;
        break;
      }
      if (res.status === 403 || res.status === 404) {
        options.onState('closed', `HTTP ${res.status}`);
        return;
      }
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
      attempt = 0;
      options.onState('live');
      const feed = createEventParser(options.onEvent);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feed(value);
      }
    } catch (error) {
      if (signal.aborted) break;
      options.onState('reconnecting', error instanceof Error ? error.message : String(error));
    }
    attempt += 1;
    // Capped exponential backoff with jitter, so many clients do not return in lockstep.
    const wait = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, wait);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(undefined);
      }, { once: true });
    });
  }
  options.onState('closed');
}
