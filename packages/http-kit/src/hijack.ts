import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { privateCachePolicy } from './security.js';

/**
 * Takes a reply over from Fastify (`reply.hijack()`) and writes its head on the raw response,
 * with every header the ordinary path would have sent: those the onRequest hooks put on the
 * reply (x-request-id, CORS, helmet's headers), `headers`, and what the onSend
 * hooks add, since a hijacked reply never runs them (the cache policy of personal answers,
 * `connection: close` while draining). The onResponse hooks (request metrics, the "request
 * completed" log) still run when the raw response finishes.
 *
 * For long-lived responses (event streams): writing to the raw response keeps no stream, pipe
 * or end-of-stream listeners per response.
 */
export function writeHijackedHead(reply: FastifyReply, statusCode: number, headers: Record<string, string>): ServerResponse {
  void reply.code(statusCode);
  for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
  if (reply.server.hasPlugin('authmeet-security')) privateCachePolicy(reply.request, reply);
  if (reply.server.hasDecorator('drain') && reply.server.drain.draining) void reply.header('connection', 'close');
  const res = reply.raw;
  const all = reply.getHeaders();
  reply.hijack();
  for (const name of Object.keys(all)) {
    const value = all[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  res.writeHead(statusCode);
  flattenHead(res);
  return res;
}

/**
 * Node keeps the head it wrote for the whole life of the response (`_header`, which
 * `headersSent` reads), as the rope of the concatenations that built it: hundreds of string
 * pieces for ~1 KB of text. A long-lived response keeps one flat copy instead (V8 would only
 * flatten it if something read it).
 */
function flattenHead(res: ServerResponse): void {
  const raw = res as unknown as { _header?: unknown };
  if (typeof raw._header === 'string') raw._header = Buffer.from(raw._header, 'latin1').toString('latin1');
}
