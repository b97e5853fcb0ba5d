import { round } from '../harness/stats.js';
import { figure } from '../report/figures.js';
import type { Figure, ScenarioResult } from '../report/figures.js';

const find = (results: readonly ScenarioResult[], id: string): Figure | undefined =>
  results.flatMap((r) => r.figures).find((f) => f.id === id);

/**
 * 6: better-auth beside us. Its figures were measured inside scenarios 1 and 2 (interleaved with
 * ours, same connections), so this only lines them up; they are moved out of 1 and 2.
 */
export function peerComparison(results: ScenarioResult[]): ScenarioResult | undefined {
  const ourLogin = find(results, 'login_rps');
  const ourVerified = find(results, 'verified_rps');
  const baArgon = find(results, 'better_auth_sign_in_argon2id_rps');
  const baScrypt = find(results, 'better_auth_sign_in_scrypt_rps');
  const baSession = find(results, 'better_auth_get_session_rps');
  for (const r of results) r.figures = r.figures.filter((f) => f.scenario !== 6);
  const figures: Figure[] = [];
  if (ourLogin && baArgon && baScrypt) {
    figures.push(
      figure({ ...ourLogin, scenario: 6, title: 'ours: logins (argon2id m=19456 KiB t=2 p=1)' }),
      figure({ ...baArgon, scenario: 6, title: 'better-auth: sign-in/email, argon2id with our parameters' }),
      figure({ id: 'login_vs_better_auth_ratio', scenario: 6, title: 'ratio ours / better-auth sign-in, same hash (ratio of medians)', value: round(ourLogin.value / baArgon.value, 3), unit: '×' }),
      figure({ ...baScrypt, scenario: 6, title: 'better-auth: sign-in/email, its default scrypt (N=16384, r=16, p=1)' }),
    );
  }
  if (ourVerified && baSession) {
    figures.push(
      figure({ ...ourVerified, scenario: 6, title: `ours: token-verified request (${ourVerified.title})` }),
      figure({ ...baSession, scenario: 6, title: 'better-auth: get-session with the session cookie' }),
      figure({ id: 'verified_vs_better_auth_ratio', scenario: 6, title: 'ratio ours / better-auth session check (ratio of medians)', value: round(ourVerified.value / baSession.value, 3), unit: '×' }),
    );
  }
  if (figures.length === 0) return undefined;
  return {
    scenario: 6,
    title: 'Peer: better-auth',
    figures,
    notes: [
      'better-auth with email and password on the same Postgres (its Kysely adapter over a `pg` Pool, 10 connections like our pool), tables created by its programmatic migrator (`getMigrations(options).runMigrations()`), served by `toNodeHandler(auth)` in a plain `node:http` server with NODE_ENV=production, its rate limiter on (memory store) with limits as high as ours, telemetry off.',
      'Equal hash cost: one instance uses `emailAndPassword.password.hash/verify` with the same `argon2` package and our parameters (argon2id, m=19456 KiB, t=2, p=1); a second instance keeps its default scrypt. Neither caps hashing concurrency beyond the libuv threadpool (same UV_THREADPOOL_SIZE as ours).',
      'Same tool and connections as ours, runs interleaved with ours inside scenarios 1 and 2. What differs: its session check reads the session (and user) from Postgres on every request (no cookie cache configured, its default), ours verifies a signed token locally and asks Postgres only for the user row; its sign-in writes a session row to Postgres, ours writes a Redis hash.',
    ],
    details: {},
  };
}
