export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Median of per-round ratios a[i] / b[i]: each round ran A and B back to back, so a burst of
 * load from another process on the machine shifts both and cancels out in their ratio.
 */
export function pairedRatio(a: readonly { rps: number }[], b: readonly { rps: number }[]): number {
  const ratios = a.flatMap((x, i) => {
    const y = b[i];
    return y === undefined || y.rps === 0 ? [] : [x.rps / y.rps];
  });
  return median(ratios);
}
