import type { BenchConfig } from '../config.js';
import type { ChildRegistry } from '../harness/children.js';
import type { BenchUser, Tokens } from '../harness/fixtures.js';
import type { Peer } from '../harness/peers.js';
import type { Stack } from '../harness/stack.js';
import type { ServiceProfile } from './profiles.js';

/** The cheapest authenticated meetings-service route, and what one request to it touches. */
export interface Probe {
  method: 'GET';
  path: string;
  touches: string;
}

export interface BenchContext {
  config: BenchConfig;
  registry: ChildRegistry;
  stack: Stack;
  hello: Peer;
  betterAuth: { argon2id: Peer; scrypt: Peer; cookie: string; users: { argon2id: string; scrypt: string }; password: string };
  user: BenchUser;
  tokens: Tokens;
  probe: Probe;
  log: (msg: string) => void;
  /** CPU profiles scenarios took of their own load (BENCH_PROFILE=1), for the report. */
  cpuProfiles: ServiceProfile[];
}

export const series = (ctx: BenchContext) => ({
  runs: ctx.config.runs,
  durationSec: ctx.config.durationSec,
  warmupSec: ctx.config.warmupSec,
  log: ctx.log,
});
