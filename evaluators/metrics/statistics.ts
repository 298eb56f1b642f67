/** Order statistics and moments over Float64Array values, without sorting the caller's array. */

/** Median (mean of the two middle values for even counts); NaN for an empty array. */
export function median(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const copy = Float64Array.from(values);
  copy.sort();
  return n % 2 === 1 ? copy[(n - 1) / 2] : 0.5 * (copy[n / 2 - 1] + copy[n / 2]);
}

export function mean(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Population standard deviation (numpy's default, ddof = 0), as NoW reports it. */
export function standardDeviation(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}

/** Fraction of values ≤ threshold. */
export function fractionWithin(values: Float64Array, threshold: number): number {
  if (values.length === 0) return Number.NaN;
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] <= threshold) count++;
  return count / values.length;
}

/**
 * Cumulative error curve: for each d in `thresholds`, the fraction of values ≤ d.
 * One pass over sorted values, so it is cheap for long curves.
 */
export function cumulativeCurve(values: Float64Array, thresholds: ArrayLike<number>): Float64Array {
  const out = new Float64Array(thresholds.length);
  if (values.length === 0) return out.fill(Number.NaN);
  const sorted = Float64Array.from(values);
  sorted.sort();
  let k = 0;
  for (let i = 0; i < thresholds.length; i++) {
    const t = thresholds[i];
    while (k < sorted.length && sorted[k] <= t) k++;
    out[i] = k / sorted.length;
  }
  return out;
}

/** Evenly spaced thresholds from 0 to `max` inclusive with `step` (e.g. 0..10 mm by 0.1). */
export function curveThresholds(max: number, step: number): Float64Array {
  const n = Math.round(max / step) + 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(i * step * 1e9) / 1e9;
  return out;
}
