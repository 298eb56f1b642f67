/**
 * Order statistics and moments over float64 or float32 values (the pooled NoW distances are
 * stored as float32), without sorting the caller's array unless a name says so.
 */

/** Values the statistics accept. */
export type Values = Float64Array | Float32Array;

/** Median (mean of the two middle values for even counts); NaN for an empty array. */
export function median(values: Values): number {
  return medianInPlace(values.slice());
}

/**
 * {@link median} of `values`, reordering them (no copy: for arrays too large to copy, such as
 * the distances of a whole benchmark).
 */
export function medianInPlace(values: Values): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const upper = selectNth(values, n >> 1);
  if (n % 2 === 1) return upper;
  // After the selection the lower middle value is the largest of the slots before n/2.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (values[i] > lower) lower = values[i];
  return 0.5 * (lower + upper);
}

/**
 * The value of rank k (0-based) of `values`, reordering them in place so that slots before k
 * hold values ≤ it and slots after k values ≥ it (Hoare selection, median-of-three pivot;
 * linear on average, no allocation). NaN values are not allowed.
 */
export function selectNth(values: Values, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = values[lo], b = values[mid], c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i]; values[i] = values[j]; values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k];
}

export function mean(values: Values): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Population standard deviation (numpy's default, ddof = 0), as NoW reports it. */
export function standardDeviation(values: Values): number {
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
export function fractionWithin(values: Values, threshold: number): number {
  if (values.length === 0) return Number.NaN;
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] <= threshold) count++;
  return count / values.length;
}

/**
 * Cumulative error curve: for each d in `thresholds` (ascending), the fraction of values ≤ d.
 * One pass over the values, each counted at the first threshold it does not exceed, then a
 * running sum: no sort and no copy of the values. That threshold is guessed from the mean
 * spacing and corrected by exact comparisons, so evenly spaced thresholds (every protocol's
 * curve) cost O(1) per value and any ascending list stays exact.
 */
export function cumulativeCurve(values: Values, thresholds: ArrayLike<number>): Float64Array {
  const m = thresholds.length;
  const out = new Float64Array(m);
  if (values.length === 0) return out.fill(Number.NaN);
  const counts = new Float64Array(m + 1);
  const first = m > 0 ? thresholds[0] : 0;
  const perStep = m > 1 && thresholds[m - 1] > first ? (m - 1) / (thresholds[m - 1] - first) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue; // never ≤ a threshold
    const guess = Math.ceil((v - first) * perStep);
    let k = guess > 0 ? (guess < m ? guess : m) : 0;
    while (k > 0 && thresholds[k - 1] >= v) k--;
    while (k < m && thresholds[k] < v) k++;
    counts[k]++;
  }
  let running = 0;
  for (let i = 0; i < m; i++) {
    running += counts[i];
    out[i] = running / values.length;
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
