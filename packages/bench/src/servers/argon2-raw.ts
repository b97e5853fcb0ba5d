// Raw argon2id verification throughput: the same library, parameters and parallelism as the
// auth-service (CONCURRENCY verifications in flight on a UV_THREADPOOL_SIZE libuv pool), nothing
// else. Prints one line `RESULT {"verifications":…,"seconds":…}` and exits.
import argon2 from 'argon2';
import { peerEnv } from '../config.js';

const concurrency = Number(peerEnv('CONCURRENCY', '4'));
const durationMs = Number(peerEnv('DURATION_MS', '10000'));
const warmupMs = Number(peerEnv('WARMUP_MS', '1000'));
const options = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const password = 'Correct-Horse-Battery-9';
const hash = await argon2.hash(password, options);

async function measure(ms: number): Promise<{ verifications: number; seconds: number; cpuMs: number }> {
  let verifications = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      if (!(await argon2.verify(hash, password))) throw new Error('verification failed');
      verifications += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { verifications, seconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
}

if (warmupMs > 0) await measure(warmupMs);
const result = await measure(durationMs);
process.stdout.write(`RESULT ${JSON.stringify({ ...result, concurrency, params: 'argon2id m=19456 t=2 p=1' })}\n`);
