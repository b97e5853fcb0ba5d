// The baseline: a bare Fastify hello-world (same Fastify version as the services, no plugins,
// no logger), in its own process.
import Fastify from 'fastify';
import { peerEnv } from '../config.js';

const port = Number(peerEnv('PORT'));
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
await app.listen({ host: '127.0.0.1', port });
