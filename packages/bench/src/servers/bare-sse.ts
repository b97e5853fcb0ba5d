// The floor of scenario 13's memory per open stream: a bare node:http server that answers a
// request (any but `/ready`) with an event-stream head and a `: connected` comment, and keeps the
// response open until the client goes. Nothing else: no framework, no token check, no registry,
// no heartbeat, not even a list of the open responses. Its memory per open connection is Node's
// own (socket, request, response, HTTP parser).
import { createServer } from 'node:http';
import { peerEnv } from '../config.js';

const port = Number(peerEnv('PORT'));
const server = createServer((req, res) => {
  if (req.url === '/ready') {
    res.end('ready');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.write(': connected\n\n');
});

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
server.listen(port, '127.0.0.1');
