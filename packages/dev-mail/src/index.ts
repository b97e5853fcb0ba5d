export { startMailServer } from './mail-server.js';
export type { MailServer, MailServerOptions } from './mail-server.js';
export type { ReceivedMail } from './mail-store.js';
