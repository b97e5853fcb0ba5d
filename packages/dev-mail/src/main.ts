import { loadConfig } from './config.js';
import { startMailServer } from './mail-server.js';

const config = loadConfig();
let server: Awaited<ReturnType<typeof startMailServer>>;
try {
  server = await startMailServer(config);
} catch (err) {
  if ((err as { code?: unknown }).code === 'EADDRINUSE') {
    // Usually a dev-mail from an earlier `pnpm dev`: leave it serving rather than failing the whole dev stack.
    console.warn(`dev-mail: port ${config.smtpPort} or ${config.httpPort} on ${config.host} is taken; is another dev-mail running? Not starting.`);
    process.exit(0);
  }
  throw err;
}
const web = `http://${server.host}:${server.httpPort ?? '-'}`;
console.log(`dev-mail: SMTP on ${server.smtpUrl}; read mail at ${web}/ (JSON: ${web}/api/mails)`);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
