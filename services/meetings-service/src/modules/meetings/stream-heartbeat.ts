export interface Pingable {
  ping(): void;
}

export interface StreamHeartbeat {
  /** Pings `stream` every `intervalMs` from now on (the first within `intervalMs`); returns the function that stops. */
  add(stream: Pingable): () => void;
  size(): number;
  close(): void;
}

/**
 * One timer for every open stream's heartbeat, instead of one interval per stream: each tick
 * pings all the streams registered, so no stream goes longer than `intervalMs` without one.
 * The timer runs only while a stream is registered.
 */
export function createStreamHeartbeat(intervalMs: number): StreamHeartbeat {
  const streams = new Set<Pingable>();
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    // A Set's iteration skips entries deleted meanwhile (a stream that ends during the tick).
    for (const stream of streams) stream.ping();
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    add(stream) {
      streams.add(stream);
      if (timer === undefined) {
        timer = setInterval(tick, intervalMs);
        timer.unref();
      }
      return () => {
        if (streams.delete(stream) && streams.size === 0) stop();
      };
    },
    size: () => streams.size,
    close() {
      streams.clear();
      stop();
    },
  };
}
