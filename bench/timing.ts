/** Wall-clock timing for the benchmarks. */

/** The middle value of `values` (the upper of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time (s) of `repeats` runs of `fn`, after one untimed warm-up run unless `warmUp` is false. */
export function timeIt(fn: () => void, repeats = 5, { warmUp = true } = {}): number {
  if (warmUp) fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times) / 1000;
}
