export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: unknown;
}

export interface SseStream {
  status: number;
  headers: Headers;
  events: SseEvent[];
  /** Comment lines received (heartbeats are `ping`). */
  comments: string[];
  /** Resolves with the first event of `type` (already received or arriving within timeoutMs). */
  next(type: string, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the stream is over: `done` when the server ended it cleanly, else `error`. */
  ended: Promise<'done' | 'error'>;
  close(): void;
}

function parseFrame(frame: string, stream: SseStream) {
  const fields: Record<string, string> = {};
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) {
      stream.comments.push(line.slice(1).trim());
      continue;
    }
    const i = line.indexOf(':');
    if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
  }
  if (fields.data !== undefined) stream.events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
}

/** A real HTTP client reading a text/event-stream with fetch, as a browser's EventSource would. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  let wake: () => void = () => {};
  const stream: SseStream = {
    status: response.status,
    headers: response.headers,
    events: [],
    comments: [],
    ended: Promise.resolve('error'),
    async next(type, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = stream.events.find((e) => e.event === type);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms (got ${stream.events.map((e) => e.event).join(', ')})`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 25);
        });
      }
    },
    close: () => abort.abort(),
  };
  if (response.body === null || !String(response.headers.get('content-type')).startsWith('text/event-stream')) {
    await response.text().catch(() => undefined);
    return stream;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'done';
        buffer += value;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          parseFrame(buffer.slice(0, cut), stream);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
        }
        wake();
      }
    } catch {
      // aborted by close(), or the connection was cut
      return 'error';
    }
  })();
  return stream;
}
