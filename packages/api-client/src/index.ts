export { createApiClients } from './clients.js';
export type { ApiClients, ApiClientsOptions, AuthClient, AuthPaths, MeetingsClient, MeetingsPaths } from './clients.js';
