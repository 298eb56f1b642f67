/**
 * Paired per-item statistics for comparing two methods on the items both scored:
 * a percentile bootstrap confidence interval of the mean difference (Efron & Tibshirani,
 * "An Introduction to the Bootstrap", 1993, ch. 13) and the Wilcoxon signed-rank test
 * (Wilcoxon 1945; exact null distribution by counting rank subsets, normal approximation
 * with tie and continuity correction as in Hollander & Wolfe, "Nonparametric Statistical
 * Methods", §3.1).
 */

import { seededRandom } from '../evaluators/util/index.js';

/** Seeded uniform generator on [0, 1) (the suite's mulberry32): the same seed gives the same resamples. */
export { seededRandom as mulberry32 } from '../evaluators/util/index.js';

function checkPaired(base: ArrayLike<number>, variant: ArrayLike<number>): void {
  if (base.length !== variant.length) throw new RangeError(`paired samples differ in length (${base.length} vs ${variant.length}): pass one value per shared item`);
  for (let i = 0; i < base.length; i++) {
    if (!Number.isFinite(base[i]) || !Number.isFinite(variant[i])) throw new RangeError(`paired sample ${i} is not finite: drop items a method failed before testing`);
  }
}

/** Differences variant − base, one per pair. */
export function pairedDifferences(base: ArrayLike<number>, variant: ArrayLike<number>): Float64Array {
  checkPaired(base, variant);
  const d = new Float64Array(base.length);
  for (let i = 0; i < d.length; i++) d[i] = variant[i] - base[i];
  return d;
}

export interface BootstrapOptions {
  /** Number of resamples (default 10,000). */
  resamples?: number;
  /** Two-sided coverage of the interval (default 0.95). */
  confidence?: number;
  /** RNG seed (default 1). */
  seed?: number;
}

export interface BootstrapInterval {
  n: number;
  /** Mean of variant − base over the pairs. */
  meanDifference: number;
  lower: number;
  upper: number;
  confidence: number;
  resamples: number;
  seed: number;
}

/** Linear-interpolated quantile of sorted values (type 7, the numpy / R default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap CI of the mean paired difference (variant − base): resample the
 * pairs with replacement, take the mean difference of each resample, and report the
 * (1−c)/2 and (1+c)/2 quantiles. Empty input gives NaN bounds.
 */
export function pairedBootstrapCI(base: ArrayLike<number>, variant: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval {
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  if (!(Number.isInteger(resamples) && resamples > 0)) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const d = pairedDifferences(base, variant);
  const n = d.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += d[i];
  const meanDifference = n > 0 ? sum / n : Number.NaN;
  if (n === 0) return { n, meanDifference, lower: Number.NaN, upper: Number.NaN, confidence, resamples, seed };
  const random = seededRandom(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(random() * n)];
    means[r] = s / n;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  return { n, meanDifference, lower: quantileSorted(means, alpha), upper: quantileSorted(means, 1 - alpha), confidence, resamples, seed };
}

/** Average ranks (1-based) of values, ties sharing the mean of their positions; also the tie group sizes. */
export function averageRanks(values: ArrayLike<number>): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k]] = rank;
    if (j - i > 1) ties.push(j - i);
    i = j;
  }
  return { ranks, ties };
}

/**
 * Number of subsets of {1..n} with each rank sum 0..n(n+1)/2: the exact null distribution of
 * W+ (each sign equally likely) is counts / 2^n.
 */
export function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let s = (k * (k + 1)) / 2; s >= k; s--) counts[s] += counts[s - k];
  }
  return counts;
}

/** Complementary error function: power series of erf below 2, Lentz continued fraction above (relative error ~1e-14). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) * sum_k (-1)^k x^(2k+1) / (k! (2k+1))
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let dd = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    dd = x + a * dd;
    dd = Math.abs(dd) < tiny ? 1 / tiny : 1 / dd;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * dd;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

export interface WilcoxonOptions {
  /** Largest n (non-zero differences) for the exact distribution when there are no ties (default 25). */
  exactMaxN?: number;
  /** Continuity correction of the normal approximation (default true). */
  continuity?: boolean;
}

export interface WilcoxonResult {
  /** Pairs with a non-zero difference (zero differences are dropped, Wilcoxon's convention). */
  n: number;
  zeros: number;
  /** Sum of ranks of positive (variant > base) and negative differences. */
  wPlus: number;
  wMinus: number;
  /** min(W+, W−), the statistic scipy.stats.wilcoxon reports. */
  statistic: number;
  /** Two-sided p-value; 1 when every difference is zero. */
  pValue: number;
  method: 'exact' | 'normal' | 'none';
  /** z of the normal approximation (NaN for the exact test). */
  z: number;
}

/**
 * Two-sided Wilcoxon signed-rank test of variant − base. Zero differences are dropped; the
 * rest are ranked by |d| with average ranks for ties. Exact when n ≤ exactMaxN and no ties
 * (p = 2·P(W+ ≤ min(W+, W−)), capped at 1); otherwise the normal approximation with
 * var = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 and a ½ continuity correction toward the mean.
 */
export function wilcoxonSignedRank(base: ArrayLike<number>, variant: ArrayLike<number>, options: WilcoxonOptions = {}): WilcoxonResult {
  const exactMaxN = options.exactMaxN ?? 25;
  const continuity = options.continuity ?? true;
  const all = pairedDifferences(base, variant);
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  const zeros = all.length - n;
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, statistic: 0, pValue: 1, method: 'none', z: 0 };
  const abs = d.map(Math.abs);
  const { ranks, ties } = averageRanks(abs);
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) {
    if (d[i] > 0) wPlus += ranks[i];
    else wMinus += ranks[i];
  }
  const statistic = Math.min(wPlus, wMinus);
  if (n <= exactMaxN && ties.length === 0) {
    const counts = signedRankCounts(n);
    const total = 2 ** n;
    let below = 0;
    for (let s = 0; s <= statistic; s++) below += counts[s];
    return { n, zeros, wPlus, wMinus, statistic, pValue: Math.min(1, (2 * below) / total), method: 'exact', z: Number.NaN };
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - ties.reduce((a, t) => a + t * t * t - t, 0) / 48;
  if (variance <= 0) return { n, zeros, wPlus, wMinus, statistic, pValue: 1, method: 'normal', z: 0 };
  let diff = statistic - mean;
  if (continuity) diff = Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5);
  const z = diff / Math.sqrt(variance);
  return { n, zeros, wPlus, wMinus, statistic, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))), method: 'normal', z };
}
