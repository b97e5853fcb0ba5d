// The loop of the bare peers (argon2-raw, sharp-raw): `concurrency` workers repeat one operation
// until the time is up; a warm-up first, then one line `RESULT {"ops":…,"seconds":…,"cpuMs":…}`.

async function measure(op: () => Promise<unknown>, concurrency: number, ms: number): Promise<{ ops: number; seconds: number; cpuMs: number }> {
  let ops = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op();
      ops += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { ops, seconds: (performance.now() - started) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export async function runRawLoop(op: () => Promise<unknown>, opts: { concurrency: number; durationMs: number; warmupMs: number; describe: Record<string, unknown> }): Promise<void> {
  if (opts.warmupMs > 0) await measure(op, opts.concurrency, opts.warmupMs);
  const result = await measure(op, opts.concurrency, opts.durationMs);
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, concurrency: opts.concurrency, ...opts.describe })}\n`);
}
