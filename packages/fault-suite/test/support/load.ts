import type { Answer } from './client.js';

/** Runs `step` in `workers` loops until stopped; keeps every answer for the assertions. */
export function loop(workers: number, step: (worker: number, n: number) => Promise<Answer | undefined>) {
  let running = true;
  const answers: Answer[] = [];
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let n = 0; running; n += 1) {
        const a = await step(w, n);
        if (a) answers.push(a);
        // A worker whose target is down must not spin.
        if (!a || a.status === 0 || a.status >= 500) await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
  return {
    answers,
    async stop() {
      running = false;
      await done;
      return answers;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
