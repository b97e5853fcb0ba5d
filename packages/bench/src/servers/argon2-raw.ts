// Raw argon2id verification throughput: the same library, parameters and parallelism as the
// auth-service (CONCURRENCY verifications in flight on a UV_THREADPOOL_SIZE libuv pool), nothing
// else. Prints one line `RESULT {"ops":…,"seconds":…,"cpuMs":…}` and exits.
import argon2 from 'argon2';
import { peerEnv } from '../config.js';
import { runRawLoop } from './raw-loop.js';

const options = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const password = 'Correct-Horse-Battery-9';
const hash = await argon2.hash(password, options);

await runRawLoop(
  async () => {
    if (!(await argon2.verify(hash, password))) throw new Error('verification failed');
  },
  {
    concurrency: Number(peerEnv('CONCURRENCY', '4')),
    durationMs: Number(peerEnv('DURATION_MS', '10000')),
    warmupMs: Number(peerEnv('WARMUP_MS', '1000')),
    describe: { params: 'argon2id m=19456 t=2 p=1' },
  },
);
