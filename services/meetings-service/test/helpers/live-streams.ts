import type { AddressInfo } from 'node:net';
import type { MeetingsContext } from '../test-app.js';
import { openSse } from './sse-client.js';
import type { SseStream } from './sse-client.js';

export interface LiveStreams {
  /** The instance's base URL (it listens on a free loopback port). */
  base: string;
  /** Opens `/v1/meetings/{id}/events` over real HTTP; closed again by `closeAll`. */
  open(meetingId: string, headers: Record<string, string>): Promise<SseStream>;
  closeAll(): void;
}

/** Makes a test instance listen, so streams go through a real socket as a browser's would. */
export async function listenForStreams(ctx: MeetingsContext): Promise<LiveStreams> {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  const opened: SseStream[] = [];
  return {
    base,
    async open(meetingId, headers) {
      const stream = await openSse(`${base}/v1/meetings/${meetingId}/events`, headers);
      opened.push(stream);
      return stream;
    },
    closeAll() {
      for (const s of opened.splice(0)) s.close();
    },
  };
}
