import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export interface MemoryStatus {
  rssKiB: number;
  hwmKiB: number;
  /** Of the RSS: anonymous memory (heaps, stacks, malloc) and file pages (the node binary, shared libraries). */
  anonKiB: number;
  fileKiB: number;
  threads: number;
}

export async function memoryStatus(pid: number): Promise<MemoryStatus> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM'), anonKiB: field('RssAnon'), fileKiB: field('RssFile'), threads: field('Threads') };
}

/** Samples VmRSS every `everyMs` while `work` runs; returns the work's result and the peak. */
export async function sampleRss<T>(pid: number, everyMs: number, work: Promise<T>): Promise<{ result: T; peakRssKiB: number; samples: number }> {
  let done = false;
  let peakRssKiB = 0;
  let samples = 0;
  const sampler = (async () => {
    // Bounded: stops when the work settles, at the latest after 10 minutes of samples.
    for (let i = 0; i < 600_000 / everyMs && !done; i += 1) {
      const status = await memoryStatus(pid);
      peakRssKiB = Math.max(peakRssKiB, status.rssKiB);
      samples += 1;
      await delay(everyMs);
    }
  })();
  try {
    const result = await work;
    done = true;
    await sampler;
    return { result, peakRssKiB, samples };
  } finally {
    done = true;
  }
}
