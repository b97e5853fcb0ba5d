export * from './internal-paths.js';
export * from './meeting-events.js';
export * from './revocation.js';
export * from './roles.js';
export * from './text.js';
export * from './user-sync.js';
