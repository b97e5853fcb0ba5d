// What the session manager needs from the browser to coordinate tabs: the Web Locks API (one
// refresh at a time across every tab of the origin) and BroadcastChannel (tell the other tabs
// what happened). Both are typed by the slice used here, so the library compiles without the
// DOM or Node type libraries deciding, and each can be replaced or switched off.

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of a `BroadcastChannel` used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

export function defaultLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

export function defaultChannel(name: string): ChannelLike | null {
  const Channel = (globalThis as unknown as { BroadcastChannel?: new (name: string) => ChannelLike }).BroadcastChannel;
  if (Channel === undefined) return null;
  const channel = new Channel(name);
  // Node keeps its event loop alive for an open channel; a browser tab has no such notion.
  (channel as { unref?: () => void }).unref?.();
  return channel;
}

/**
 * Refreshes other tabs announced ("refreshing", id) and have not finished yet. A tab that gets
 * the refresh lock after another tab held it waits here for that tab's result, which was posted
 * before the lock was released but may still be on its way.
 */
export class PeerRefreshes {
  private readonly pending = new Set<string>();
  private waiters: (() => void)[] = [];

  started(id: string): void {
    this.pending.add(id);
  }

  finished(id: string): void {
    if (!this.pending.delete(id)) return;
    if (this.pending.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once no announced refresh is outstanding, or after `timeoutMs` (a tab closed mid-refresh). */
  async settled(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await new Promise<boolean>((resolve) => {
      this.waiters.push(() => resolve(false));
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    clearTimeout(timer);
    // The tab that announced them is gone: forget them rather than wait again next time.
    if (timedOut) this.pending.clear();
  }
}
