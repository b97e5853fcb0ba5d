import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { privateCachePolicy } from './security.js';

/**
 * Takes a reply over from Fastify (`reply.hijack()`) and writes its head on the raw response,
 * with every header the ordinary path would have sent: those the onRequest hooks put on the
 * reply (x-request-id, CORS) or on the raw response (helmet), `headers`, and what the onSend
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
  return res;
}
