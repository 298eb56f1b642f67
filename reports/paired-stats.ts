/**
 * Paired statistics for comparing two methods on the items both scored:
 * a percentile bootstrap confidence interval of the mean difference (Efron & Tibshirani,
 * "An Introduction to the Bootstrap", 1993, ch. 13), its cluster form that resamples whole
 * groups of items (Davison & Hinkley, "Bootstrap Methods and their Application", 1997, §3.8),
 * and the Wilcoxon signed-rank test (Wilcoxon 1945; exact null distribution by counting rank
 * subsets, normal approximation with tie and continuity correction as in Hollander & Wolfe,
 * "Nonparametric Statistical Methods", §3.1).
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

function bootstrapSettings(options: BootstrapOptions): Required<BootstrapOptions> {
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  if (!(Number.isInteger(resamples) && resamples > 0)) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return { resamples, confidence, seed };
}

/**
 * Percentile bootstrap CI of the mean paired difference (variant − base): resample the
 * pairs with replacement, take the mean difference of each resample, and report the
 * (1−c)/2 and (1+c)/2 quantiles. Empty input gives NaN bounds.
 */
export function pairedBootstrapCI(base: ArrayLike<number>, variant: ArrayLike<number>, options: BootstrapOptions = {}): BootstrapInterval {
  const { resamples, confidence, seed } = bootstrapSettings(options);
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

/** Paired differences grouped by cluster (e.g. the person an item belongs to), clusters in order of first appearance. */
export interface ClusteredDifferences {
  labels: string[];
  /** Sum and number of the differences in each cluster. */
  sums: Float64Array;
  counts: Float64Array;
  /** Number of pairs over all clusters. */
  n: number;
}

/** Differences variant − base summed per cluster label; `clusters[i]` names the cluster of pair i. */
export function clusterDifferences(base: ArrayLike<number>, variant: ArrayLike<number>, clusters: ArrayLike<string>): ClusteredDifferences {
  const d = pairedDifferences(base, variant);
  if (clusters.length !== d.length) throw new RangeError(`cluster labels differ in length from the pairs (${clusters.length} vs ${d.length}): pass one label per pair`);
  const index = new Map<string, number>();
  const labels: string[] = [];
  const sums: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < d.length; i++) {
    let g = index.get(clusters[i]);
    if (g === undefined) {
      g = labels.length;
      index.set(clusters[i], g);
      labels.push(clusters[i]);
      sums.push(0);
      counts.push(0);
    }
    sums[g] += d[i];
    counts[g] += 1;
  }
  return { labels, sums: Float64Array.from(sums), counts: Float64Array.from(counts), n: d.length };
}

/** Mean difference of each cluster (variant − base), clusters in order of first appearance. */
export function clusterMeanDifferences(base: ArrayLike<number>, variant: ArrayLike<number>, clusters: ArrayLike<string>): { labels: string[]; means: Float64Array } {
  const c = clusterDifferences(base, variant, clusters);
  return { labels: c.labels, means: c.sums.map((s, g) => s / c.counts[g]) };
}

export interface ClusterBootstrapInterval extends BootstrapInterval {
  /** Number of clusters resampled. */
  clusters: number;
}

/**
 * The cluster bootstrap distribution of the mean paired difference, one value per resample in
 * draw order: each resample draws as many clusters as there are, with replacement, takes
 * every pair of each drawn cluster, and computes the mean difference over the drawn pairs
 * (Σ drawn sums / Σ drawn counts). This is the same statistic as the point estimate (the mean
 * over all pairs), so the interval is about the figure the tables report; with equally sized
 * clusters it equals the mean of the per-cluster means. (A mean of per-cluster means would
 * instead weight a person with a few scored items like one with all of them, and describe
 * another figure than the reported difference.)
 */
export function clusterBootstrapReplicates(base: ArrayLike<number>, variant: ArrayLike<number>, clusters: ArrayLike<string>, options: BootstrapOptions = {}): Float64Array {
  const { resamples, seed } = bootstrapSettings(options);
  const { sums, counts } = clusterDifferences(base, variant, clusters);
  const g = sums.length;
  const out = new Float64Array(g === 0 ? 0 : resamples);
  if (g === 0) return out;
  const random = seededRandom(seed);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    let c = 0;
    for (let k = 0; k < g; k++) {
      const j = Math.floor(random() * g);
      s += sums[j];
      c += counts[j];
    }
    out[r] = s / c;
  }
  return out;
}

/**
 * Percentile cluster-bootstrap CI of the mean paired difference (variant − base) when pairs
 * come in dependent groups: resample the clusters, not the pairs (see
 * clusterBootstrapReplicates). With one pair per cluster it draws exactly what
 * pairedBootstrapCI draws. Empty input gives NaN bounds.
 */
export function clusterBootstrapCI(base: ArrayLike<number>, variant: ArrayLike<number>, clusters: ArrayLike<string>, options: BootstrapOptions = {}): ClusterBootstrapInterval {
  const { resamples, confidence, seed } = bootstrapSettings(options);
  const c = clusterDifferences(base, variant, clusters);
  let sum = 0;
  for (let k = 0; k < c.sums.length; k++) sum += c.sums[k];
  const meanDifference = c.n > 0 ? sum / c.n : Number.NaN;
  if (c.n === 0) return { n: 0, clusters: 0, meanDifference, lower: Number.NaN, upper: Number.NaN, confidence, resamples, seed };
  const replicates = clusterBootstrapReplicates(base, variant, clusters, { resamples, seed }).sort();
  const alpha = (1 - confidence) / 2;
  return {
    n: c.n,
    clusters: c.labels.length,
    meanDifference,
    lower: quantileSorted(replicates, alpha),
    upper: quantileSorted(replicates, 1 - alpha),
    confidence,
    resamples,
    seed,
  };
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

/**
 * Exact null distribution of the doubled signed-rank sum 2·W+ for given (average, possibly
 * tied) ranks: counts[s] is the number of the 2^n sign assignments whose positive ranks sum to
 * s/2. Average ranks are multiples of ½, so doubling makes every weight an integer.
 */
export function tiedSignedRankCounts(ranks: ArrayLike<number>): Float64Array {
  const weights = Array.from(ranks, (r) => Math.round(2 * r));
  const max = weights.reduce((a, w) => a + w, 0);
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  let reach = 0;
  for (const w of weights) {
    reach += w;
    for (let s = reach; s >= w; s--) counts[s] += counts[s - w];
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
  /**
   * Also use the exact distribution when |differences| tie (n ≤ exactMaxN): the sign-flip
   * distribution of the tied average ranks, conditional on them (default false: ties take the
   * normal approximation).
   */
  exactTies?: boolean;
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
  /**
   * Smallest p-value this test can give with these n differences (all of one sign): 2/2^n for
   * the exact test, so n = 3 can never go below 0.25 and n = 4 below 0.125.
   */
  minP: number;
}

/**
 * Two-sided Wilcoxon signed-rank test of variant − base. Zero differences are dropped; the
 * rest are ranked by |d| with average ranks for ties. Exact when n ≤ exactMaxN and there are
 * no ties, or ties and exactTies (then over the tied ranks): p = 2·P(W+ ≤ min(W+, W−)),
 * capped at 1; otherwise the normal approximation with
 * var = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 and a ½ continuity correction toward the mean.
 */
export function wilcoxonSignedRank(base: ArrayLike<number>, variant: ArrayLike<number>, options: WilcoxonOptions = {}): WilcoxonResult {
  const exactMaxN = options.exactMaxN ?? 25;
  const continuity = options.continuity ?? true;
  const all = pairedDifferences(base, variant);
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  const zeros = all.length - n;
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, statistic: 0, pValue: 1, method: 'none', z: 0, minP: 1 };
  const abs = d.map(Math.abs);
  const { ranks, ties } = averageRanks(abs);
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) {
    if (d[i] > 0) wPlus += ranks[i];
    else wMinus += ranks[i];
  }
  const statistic = Math.min(wPlus, wMinus);
  if (n <= exactMaxN && ties.length > 0 && options.exactTies) {
    const counts = tiedSignedRankCounts(ranks);
    const total = 2 ** n;
    let below = 0;
    for (let s = 0; s <= Math.round(2 * statistic); s++) below += counts[s];
    return { n, zeros, wPlus, wMinus, statistic, pValue: Math.min(1, (2 * below) / total), method: 'exact', z: Number.NaN, minP: Math.min(1, 2 / total) };
  }
  if (n <= exactMaxN && ties.length === 0) {
    const counts = signedRankCounts(n);
    const total = 2 ** n;
    let below = 0;
    for (let s = 0; s <= statistic; s++) below += counts[s];
    return { n, zeros, wPlus, wMinus, statistic, pValue: Math.min(1, (2 * below) / total), method: 'exact', z: Number.NaN, minP: Math.min(1, 2 / total) };
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - ties.reduce((a, t) => a + t * t * t - t, 0) / 48;
  if (variance <= 0) return { n, zeros, wPlus, wMinus, statistic, pValue: 1, method: 'normal', z: 0, minP: 1 };
  const zOf = (w: number) => {
    let diff = w - mean;
    if (continuity) diff = Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5);
    return diff / Math.sqrt(variance);
  };
  const pOf = (z: number) => Math.min(1, 2 * normalCdf(-Math.abs(z)));
  const z = zOf(statistic);
  return { n, zeros, wPlus, wMinus, statistic, pValue: pOf(z), method: 'normal', z, minP: pOf(zOf(0)) };
}

/**
 * Wilcoxon signed-rank test on per-cluster mean differences: the pairs of each cluster
 * (e.g. a person's items) are averaged first, so each cluster counts once, and the test runs
 * on those means as wilcoxonSignedRank does, exact up to 25 clusters — also when their
 * |means| tie, since a normal approximation over a handful of clusters could report a
 * p-value below what any sign pattern can give. n is the number of clusters with a non-zero
 * mean difference.
 */
export function clusterWilcoxon(base: ArrayLike<number>, variant: ArrayLike<number>, clusters: ArrayLike<string>, options: WilcoxonOptions = {}): WilcoxonResult {
  const { means } = clusterMeanDifferences(base, variant, clusters);
  return wilcoxonSignedRank(new Float64Array(means.length), means, { exactTies: true, ...options });
}
