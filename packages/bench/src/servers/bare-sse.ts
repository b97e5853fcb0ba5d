// The floor of scenario 13's memory per open stream: a bare node:http server that answers a
// request (any but `/ready`) with an event-stream head and a `: connected` comment, and keeps the response open until
// the client goes. Nothing else: no framework, no token check, no registry, no heartbeat. Its
// memory per open connection is Node's own (socket, request, response, HTTP parser).
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { peerEnv } from '../config.js';

const port = Number(peerEnv('PORT'));
const open = new Set<ServerResponse>();
const server = createServer((req, res) => {
  if (req.url === '/ready') {
    res.end('ready');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.write(': connected\n\n');
  open.add(res);
  res.on('close', () => open.delete(res));
});

process.once('SIGTERM', () => {
  for (const res of open) res.destroy();
  server.close(() => process.exit(0));
});
server.listen(port, '127.0.0.1');
