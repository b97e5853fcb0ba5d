import { expect, it } from 'vitest';
import { readEvents } from '../src/index.js';

/** A body that arrives in the given pieces, as a network stream may cut it anywhere. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>) {
  const frames = [];
  for await (const frame of readEvents(stream)) frames.push(frame);
  return frames;
}

it('reads events, ids, retry and comments as the meetings-service sends them', async () => {
  const frames = await collect(
    body(
      'retry: 3000\n: connected\n\n',
      'id: 1\nevent: participant.joined\ndata: {"userId":"u1"}\n\n',
      ': ping\n\n',
      'id: 2\nevent: stream.closed\ndata: {"reason":"revoked"}\n\n',
    ),
  );
  expect(frames).toEqual([
    { retry: 3000 },
    { event: { id: '1', event: 'participant.joined', data: { userId: 'u1' } } },
    { event: { id: '2', event: 'stream.closed', data: { reason: 'revoked' } } },
  ]);
});

it('joins lines cut across chunks, CRLF and CR line ends, and multi-line data', async () => {
  const frames = await collect(body('event: a\r', '\ndata: line one\r\nda', 'ta: line two\r\r', 'data:no-space\n\n', 'data: unterminated'));
  expect(frames).toEqual([
    { event: { id: undefined, event: 'a', data: 'line one\nline two' } },
    { event: { id: undefined, event: 'message', data: 'no-space' } },
  ]);
});
