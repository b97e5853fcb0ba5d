// The peer: better-auth with email and password on Postgres (its built-in Kysely adapter over a
// pg Pool), tables created by its own programmatic migrator, served by its Node handler in a
// plain node:http server. HASHER=argon2id uses our exact argon2id parameters through its custom
// password hasher; HASHER=scrypt keeps its default.
import { createServer } from 'node:http';
import argon2 from 'argon2';
import { betterAuth } from 'better-auth';
import type { BetterAuthOptions } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';
import { peerEnv } from '../config.js';

const port = Number(peerEnv('PORT'));
const databaseUrl = peerEnv('DATABASE_URL');
const secret = peerEnv('BETTER_AUTH_SECRET');
const hasher = peerEnv('HASHER', 'argon2id') === 'scrypt' ? 'scrypt' : 'argon2id';
const argon2Options = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const highLimit = { window: 60, max: 1_000_000_000 };

const options: BetterAuthOptions = {
  baseURL: `http://127.0.0.1:${port}`,
  secret,
  database: new pg.Pool({ connectionString: databaseUrl, max: 10 }),
  emailAndPassword: {
    enabled: true,
    ...(hasher === 'argon2id'
      ? {
          password: {
            hash: (password: string) => argon2.hash(password, argon2Options),
            verify: ({ hash, password }: { hash: string; password: string }) => argon2.verify(hash, password),
          },
        }
      : {}),
  },
  // Its limiter stays on (as in production) with limits as generous as the services' bench ones.
  rateLimit: { enabled: true, storage: 'memory', ...highLimit, customRules: { '/sign-in/email': highLimit, '/sign-up/email': highLimit } },
  telemetry: { enabled: false },
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);
const server = createServer(toNodeHandler(auth));
server.keepAliveTimeout = 72_000;

process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
server.listen(port, '127.0.0.1');
