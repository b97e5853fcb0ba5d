/**
 * For background loops (outbox relay, mail worker): a sleep that a signal cuts short. A signal
 * that arrives while the loop is busy is remembered, so the next sleep returns at once: no
 * wake-up (a NOTIFY, a kick after a commit) is ever lost to a race with the loop.
 */
export function createWaker() {
  let pending = false;
  let cutShort: (() => void) | undefined;
  return {
    wake(): void {
      pending = true;
      cutShort?.();
    },
    sleep(ms: number): Promise<void> {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          cutShort = undefined;
          pending = false;
          resolve();
        }
        cutShort = done;
      });
    },
  };
}

export type Waker = ReturnType<typeof createWaker>;
