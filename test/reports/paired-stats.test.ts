import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  clusterBootstrapCI,
  clusterBootstrapReplicates,
  clusterMeanDifferences,
  clusterWilcoxon,
  erfc,
  mulberry32,
  normalCdf,
  pairedBootstrapCI,
  signedRankCounts,
  tiedSignedRankCounts,
  wilcoxonSignedRank,
} from '../../reports/paired-stats.js';

/** W+ distribution by enumerating all 2^n sign assignments of ranks 1..n (brute force). */
function bruteForceCounts(n: number): number[] {
  const counts = new Array((n * (n + 1)) / 2 + 1).fill(0);
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = 0;
    for (let k = 0; k < n; k++) if (mask & (1 << k)) s += k + 1;
    counts[s]++;
  }
  return counts;
}

/** Exact two-sided p by brute force over sign flips of the given |d| (no ties). */
function bruteForceP(d: number[]): number {
  const abs = d.map(Math.abs);
  const rank = abs.map((v) => abs.filter((w) => w < v).length + 1);
  const wPlus = d.reduce((a, v, i) => a + (v > 0 ? rank[i] : 0), 0);
  const total = (d.length * (d.length + 1)) / 2;
  const t = Math.min(wPlus, total - wPlus);
  let below = 0;
  for (let mask = 0; mask < 1 << d.length; mask++) {
    let s = 0;
    for (let k = 0; k < d.length; k++) if (mask & (1 << k)) s += rank[k];
    if (s <= t) below++;
  }
  return Math.min(1, (2 * below) / 2 ** d.length);
}

const zeros = (n: number) => new Array(n).fill(0);

describe('erfc / normalCdf', () => {
  it('matches Python math.erfc', () => {
    // Reference: python3 -c 'import math; print(repr(math.erfc(x)))' for each x.
    const ref: [number, number][] = [
      [0, 1.0],
      [0.1, 0.8875370839817152],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [1.5, 0.033894853524689274],
      [2, 0.004677734981047265],
      [2.5, 0.0004069520174449589],
      [2.9, 4.109787809945886e-5],
      [3, 2.2090496998585438e-5],
      [3.5, 7.430983723414128e-7],
      [4, 1.541725790028002e-8],
      [5, 1.5374597944280351e-12],
      [6, 2.1519736712498916e-17],
      [-1, 1.842700792949715],
      [-2.5, 1.999593047982555],
    ];
    for (const [x, v] of ref) expect(Math.abs(erfc(x) - v) / v).toBeLessThan(1e-12);
  });
  it('gives the textbook normal quantiles', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-1.6448536269514722)).toBeCloseTo(0.05, 12);
  });
});

describe('averageRanks', () => {
  it('gives tied values the mean of their positions', () => {
    const { ranks, ties } = averageRanks([3, 1, 3, 2, 3]);
    expect(Array.from(ranks)).toEqual([4, 1, 4, 2, 4]);
    expect(ties).toEqual([3]);
  });
});

describe('signedRankCounts', () => {
  it('equals brute-force enumeration of sign assignments for n = 1..14', () => {
    for (let n = 1; n <= 14; n++) expect(Array.from(signedRankCounts(n))).toEqual(bruteForceCounts(n));
  });
});

describe('wilcoxonSignedRank', () => {
  it('hand-computed: five positive differences give W- = 0 and p = 2/32', () => {
    const r = wilcoxonSignedRank(zeros(5), [1, 2, 3, 4, 5]);
    expect(r).toMatchObject({ n: 5, wPlus: 15, wMinus: 0, statistic: 0, method: 'exact' });
    expect(r.pValue).toBe(0.0625);
  });

  it('hand-computed: d = [1, -2, 3] has W+ = 4, W- = 2, p = 2·P(W+ <= 2) = 2·3/8 (subsets {}, {1}, {2})', () => {
    const r = wilcoxonSignedRank(zeros(3), [1, -2, 3]);
    expect(r).toMatchObject({ wPlus: 4, wMinus: 2, statistic: 2 });
    expect(r.pValue).toBe(0.75);
  });

  it('matches the scipy.stats.wilcoxon documentation example (exact and approx)', () => {
    // scipy docs example (Cushny & Peebles differences). scipy.stats.wilcoxon(d) ->
    // statistic 24.0, pvalue 0.041259765625 (exact), confirmed by python3 brute force over 2^15
    // sign flips. wilcoxon(d, method='approx') (correction=False) -> 0.040888132911855925,
    // recomputed with python3 math.erfc; with continuity correction z = -2.01626451157708,
    // p = 0.043772323763041195 (python3 math.erfc).
    const d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
    const exact = wilcoxonSignedRank(zeros(15), d);
    expect(exact).toMatchObject({ n: 15, statistic: 24, wPlus: 96, wMinus: 24, method: 'exact' });
    expect(exact.pValue).toBe(0.041259765625);
    const approx = wilcoxonSignedRank(zeros(15), d, { exactMaxN: 0, continuity: false });
    expect(approx.method).toBe('normal');
    expect(approx.pValue).toBeCloseTo(0.040888132911855925, 13);
    const corrected = wilcoxonSignedRank(zeros(15), d, { exactMaxN: 0 });
    expect(corrected.z).toBeCloseTo(-2.01626451157708, 12);
    expect(corrected.pValue).toBeCloseTo(0.043772323763041195, 13);
  });

  it('exact p equals brute-force enumeration for random untied samples', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(random() * 12);
      const d = Array.from({ length: n }, () => (random() - 0.4) * 10);
      expect(wilcoxonSignedRank(zeros(n), d).pValue).toBeCloseTo(bruteForceP(d), 14);
    }
  });

  it('drops zeros and uses the tie-corrected normal approximation when ranks tie', () => {
    // Reference: python3 (own ranking + math.erfc): n = 20 non-zero, W+ = 187.5, W- = 22.5,
    // tie groups [2, 3, 2], var = 716.75, z = -3.062880138063926, p = 0.0021921784731806326.
    const d = [1, -2, 2, 3, 3, 3, -4, 5, 6, 6, 7, 8, -9, 10, 11, 12, 13, 14, 15, 16, 0, 0];
    const r = wilcoxonSignedRank(zeros(d.length), d);
    expect(r).toMatchObject({ n: 20, zeros: 2, wPlus: 187.5, wMinus: 22.5, statistic: 22.5, method: 'normal' });
    expect(r.z).toBeCloseTo(-3.062880138063926, 12);
    expect(r.pValue).toBeCloseTo(0.0021921784731806326, 13);
  });

  it('uses the normal approximation above n = 25', () => {
    const d = Array.from({ length: 26 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
    expect(wilcoxonSignedRank(zeros(26), d).method).toBe('normal');
  });

  it('zero differences give p = 1', () => {
    const x = [1.5, 2, 3.25, 4];
    expect(wilcoxonSignedRank(x, x)).toMatchObject({ n: 0, zeros: 4, pValue: 1 });
  });

  it('is symmetric in the order of the samples', () => {
    const a = [1.2, 3.4, 2.2, 5.1, 0.3, 4.4];
    const b = [1.0, 3.9, 2.0, 5.0, 0.1, 4.0];
    expect(wilcoxonSignedRank(a, b).pValue).toBe(wilcoxonSignedRank(b, a).pValue);
  });

  it('refuses unpaired or non-finite input', () => {
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(/differ in length/);
    expect(() => wilcoxonSignedRank([1, Number.NaN], [1, 2])).toThrow(/not finite/);
  });
});

describe('pairedBootstrapCI', () => {
  it('contains the true mean difference of a constructed shift and excludes 0', () => {
    const random = mulberry32(3);
    const base = Array.from({ length: 40 }, () => 1 + random());
    // Noise in ± pairs, so the sample's mean difference is exactly the true shift -0.2.
    const noise = Array.from({ length: 20 }, () => 0.05 * random()).flatMap((e) => [e, -e]);
    const variant = base.map((v, i) => v - 0.2 + noise[i]);
    const ci = pairedBootstrapCI(base, variant, { seed: 11 });
    expect(ci.resamples).toBe(10_000);
    expect(ci.lower).toBeLessThan(-0.2);
    expect(ci.upper).toBeGreaterThan(-0.2);
    expect(ci.upper).toBeLessThan(0);
    expect(ci.lower).toBeLessThan(ci.meanDifference);
    expect(ci.upper).toBeGreaterThan(ci.meanDifference);
    // The percentile interval of the mean is close to mean ± 1.96·sd/√n for n = 40.
    const d = variant.map((v, i) => v - base[i]);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
    const half = (1.96 * sd) / Math.sqrt(d.length);
    expect(Math.abs(ci.upper - ci.lower - 2 * half) / (2 * half)).toBeLessThan(0.1);
    expect(ci.meanDifference).toBeCloseTo(mean, 14);
    expect(ci.meanDifference).toBeCloseTo(-0.2, 12);
  });

  it('zero difference gives [0, 0] around a mean of 0', () => {
    const x = [0.5, 1.5, 2.5];
    expect(pairedBootstrapCI(x, x)).toMatchObject({ n: 3, meanDifference: 0, lower: 0, upper: 0 });
  });

  it('a constant difference gives a degenerate interval at that constant', () => {
    const ci = pairedBootstrapCI([1, 2, 3, 4], [1.5, 2.5, 3.5, 4.5], { resamples: 500 });
    expect(ci.lower).toBeCloseTo(0.5, 14);
    expect(ci.upper).toBeCloseTo(0.5, 14);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = [1.1, 4.3, 2.7, 8.2, 5.9, 7.4, 3.3];
    const b = [2.05, 3.1, 2.2, 9.6, 7.15, 7.0, 3.9];
    expect(pairedBootstrapCI(a, b, { seed: 5 })).toEqual(pairedBootstrapCI(a, b, { seed: 5 }));
    expect(pairedBootstrapCI(a, b, { seed: 5 }).lower).not.toBe(pairedBootstrapCI(a, b, { seed: 6 }).lower);
  });

  it('empty input gives NaN bounds', () => {
    const ci = pairedBootstrapCI([], []);
    expect(ci.n).toBe(0);
    expect(Number.isNaN(ci.lower)).toBe(true);
  });
});

/** Pairs (base 0, variant d) of the given per-cluster differences, with one label per pair. */
function clustered(groups: Record<string, number[]>): { base: number[]; variant: number[]; labels: string[] } {
  const labels = Object.entries(groups).flatMap(([g, d]) => d.map(() => g));
  const variant = Object.values(groups).flat();
  return { base: variant.map(() => 0), variant, labels };
}

/**
 * Exact cluster-bootstrap distribution by brute force: every one of the G^G ordered draws of
 * G clusters (equally likely), statistic Σ drawn differences / Σ drawn pair counts. Returns
 * value → probability.
 */
function bruteForceClusterBootstrap(groups: number[][]): Map<number, number> {
  const g = groups.length;
  const out = new Map<number, number>();
  const draws = g ** g;
  for (let code = 0; code < draws; code++) {
    let sum = 0;
    let count = 0;
    let c = code;
    for (let k = 0; k < g; k++) {
      const pick = groups[c % g];
      c = Math.floor(c / g);
      for (const v of pick) sum += v;
      count += pick.length;
    }
    const key = Number((sum / count).toPrecision(12));
    out.set(key, (out.get(key) ?? 0) + 1 / draws);
  }
  return out;
}

describe('clusterBootstrapCI (resampling persons)', () => {
  it('collapses to the mean when every person has the same differences, where the item bootstrap does not', () => {
    const same = [-1, 0.5, -2, 0.1];
    const { base, variant, labels } = clustered({ '001': same, '002': [0.1, -2, 0.5, -1], '003': [...same].reverse() });
    const ci = clusterBootstrapCI(base, variant, labels, { resamples: 2000, seed: 3 });
    expect(ci).toMatchObject({ n: 12, clusters: 3, resamples: 2000, seed: 3 });
    expect(ci.meanDifference).toBeCloseTo(-0.6, 14);
    expect(ci.lower).toBeCloseTo(-0.6, 13);
    expect(ci.upper).toBeCloseTo(-0.6, 13);
    const items = pairedBootstrapCI(base, variant, { resamples: 2000, seed: 3 });
    expect(items.upper - items.lower).toBeGreaterThan(0.5);
  });

  it('with 2 persons draws {A,A}, {A,B}, {B,B} with probabilities 1/4, 1/2, 1/4 and the item-weighted mean of each', () => {
    // A: mean -2 over 2 items; B: mean 3 over 4 items; both drawn: (-4 + 12) / 6 = 4/3
    // (a mean of person means would give 0.5 instead).
    const { base, variant, labels } = clustered({ A: [-1, -3], B: [1, 2, 4, 5] });
    const resamples = 20_000;
    const reps = clusterBootstrapReplicates(base, variant, labels, { resamples, seed: 9 });
    expect(reps).toHaveLength(resamples);
    const support = [-2, 4 / 3, 3];
    const probability = [0.25, 0.5, 0.25];
    const counts = [0, 0, 0];
    for (const r of reps) {
      const k = support.findIndex((v) => Math.abs(v - r) < 1e-12);
      expect(k).toBeGreaterThanOrEqual(0);
      counts[k]++;
    }
    counts.forEach((c, k) => expect(Math.abs(c / resamples - probability[k])).toBeLessThan(5 * Math.sqrt((probability[k] * (1 - probability[k])) / resamples)));
    // 1/4 of the mass sits on each end, so the 2.5 % and 97.5 % quantiles are the person means.
    const ci = clusterBootstrapCI(base, variant, labels, { resamples, seed: 9 });
    expect(ci.meanDifference).toBeCloseTo(4 / 3, 14);
    expect(ci.lower).toBeCloseTo(-2, 14);
    expect(ci.upper).toBeCloseTo(3, 14);
  });

  it('matches the brute-force bootstrap distribution over all 3^3 draws of 3 unequal persons', () => {
    const groups = [[0.4, -0.2, 0.1], [-1.5], [0.9, 1.3, 0.2, 0.6, -0.1]];
    const exact = bruteForceClusterBootstrap(groups);
    const { base, variant, labels } = clustered({ p1: groups[0], p2: groups[1], p3: groups[2] });
    const resamples = 30_000;
    const reps = clusterBootstrapReplicates(base, variant, labels, { resamples, seed: 5 });
    const seen = new Map<number, number>();
    for (const r of reps) {
      const key = Number(r.toPrecision(12));
      expect(exact.has(key)).toBe(true);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [value, p] of exact) expect(Math.abs((seen.get(value) ?? 0) / resamples - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / resamples) + 1e-12);
    // Each person alone is drawn three times with probability 1/27 > 2.5 %, so the 95 %
    // interval runs from the lowest to the highest person mean.
    const ci = clusterBootstrapCI(base, variant, labels, { resamples, seed: 5 });
    expect(ci.lower).toBeCloseTo(-1.5, 12);
    expect(ci.upper).toBeCloseTo(0.58, 12);
    expect(ci.meanDifference).toBeCloseTo(groups.flat().reduce((a, b) => a + b, 0) / 9, 14);
  });

  it('with one item per person draws exactly what the item bootstrap draws', () => {
    const base = [1.1, 4.3, 2.7, 8.2, 5.9, 7.4, 3.3];
    const variant = [2.05, 3.1, 2.2, 9.6, 7.15, 7.0, 3.9];
    const labels = base.map((_, i) => `p${i}`);
    const { clusters, ...ci } = clusterBootstrapCI(base, variant, labels, { resamples: 3000, seed: 4 });
    expect(clusters).toBe(7);
    expect(ci).toEqual(pairedBootstrapCI(base, variant, { resamples: 3000, seed: 4 }));
  });

  it('is seeded, refuses mismatched labels and gives NaN bounds for no pairs', () => {
    const { base, variant, labels } = clustered({ a: [1, 2], b: [-1], c: [0.5, 0.25, 3], d: [-2, 1] });
    expect(clusterBootstrapCI(base, variant, labels, { seed: 2 })).toEqual(clusterBootstrapCI(base, variant, labels, { seed: 2 }));
    expect(clusterBootstrapReplicates(base, variant, labels, { seed: 2 })).not.toEqual(clusterBootstrapReplicates(base, variant, labels, { seed: 8 }));
    expect(() => clusterBootstrapCI(base, variant, labels.slice(1))).toThrow(/cluster labels differ in length/);
    const empty = clusterBootstrapCI([], [], []);
    expect(empty).toMatchObject({ n: 0, clusters: 0 });
    expect(Number.isNaN(empty.lower) && Number.isNaN(empty.upper)).toBe(true);
  });
});

describe('clusterWilcoxon (per-person mean differences)', () => {
  it('hand-computed: person means -2, -0.5, 1, -4 rank 3, 1, 2, 4, so W+ = 2, W- = 8, p = 2·3/16', () => {
    // Subsets of ranks {1,2,3,4} with sum <= 2: {}, {1}, {2}.
    const { base, variant, labels } = clustered({ '001': [-1, -3], '002': [-0.5], '003': [1, 0, 2], '004': [-4, -4, -4, -4] });
    expect(Array.from(clusterMeanDifferences(base, variant, labels).means)).toEqual([-2, -0.5, 1, -4]);
    const r = clusterWilcoxon(base, variant, labels);
    expect(r).toMatchObject({ n: 4, zeros: 0, wPlus: 2, wMinus: 8, statistic: 2, method: 'exact' });
    expect(r.pValue).toBe(0.375);
    expect(r.minP).toBe(0.125);
  });

  it('3 persons cannot give p below 0.25, however many items agree', () => {
    const random = mulberry32(12);
    const groups: Record<string, number[]> = {};
    for (const p of ['001', '002', '003']) groups[p] = Array.from({ length: 20 }, () => -0.1 - random());
    const { base, variant, labels } = clustered(groups);
    const persons = clusterWilcoxon(base, variant, labels);
    expect(persons).toMatchObject({ n: 3, wPlus: 0, wMinus: 6, method: 'exact' });
    expect(persons.pValue).toBe(0.25);
    expect(persons.minP).toBe(0.25);
    // The 60 items as if independent: every difference negative.
    const items = wilcoxonSignedRank(base, variant);
    expect(items.n).toBe(60);
    expect(items.pValue).toBeLessThan(1e-10);
  });

  it('stays exact when person means tie: identical persons give 2/2^3, not a smaller normal-approximation p', () => {
    const { base, variant, labels } = clustered({ a: [-0.1, -0.5], b: [-0.5, -0.1], c: [-0.3, -0.3] });
    const r = clusterWilcoxon(base, variant, labels);
    expect(r).toMatchObject({ n: 3, wPlus: 0, wMinus: 6, method: 'exact' });
    expect(r.pValue).toBeCloseTo(0.25, 15);
    // The tie-corrected normal approximation would claim p = 0.149 here.
    const approx = wilcoxonSignedRank([0, 0, 0], [-0.3, -0.3, -0.3]);
    expect(approx.method).toBe('normal');
    expect(approx.pValue).toBeLessThan(0.2);
  });

  it('drops persons whose mean difference is zero', () => {
    const { base, variant, labels } = clustered({ a: [1, -1], b: [2], c: [3, 5], d: [-0.5] });
    // Means 0, 2, 4, -0.5: n = 3, ranks of 2, 4, 0.5 are 2, 3, 1; W- = 1, p = 2·P(W+ <= 1) = 2·2/8.
    const r = clusterWilcoxon(base, variant, labels);
    expect(r).toMatchObject({ n: 3, zeros: 1, wPlus: 5, wMinus: 1, statistic: 1 });
    expect(r.pValue).toBe(0.5);
  });
});

describe('tiedSignedRankCounts / exact test with ties', () => {
  /** Exact two-sided p by brute force over all 2^n sign flips of the (tied, average) ranks. */
  function bruteForceTiedP(d: number[]): number {
    const abs = d.map(Math.abs);
    const rank = abs.map((v) => abs.filter((w) => w < v).length + (abs.filter((w) => w === v).length + 1) / 2);
    const wPlus = d.reduce((a, v, i) => a + (v > 0 ? rank[i] : 0), 0);
    const total = rank.reduce((a, b) => a + b, 0);
    const t = Math.min(wPlus, total - wPlus);
    let below = 0;
    for (let mask = 0; mask < 1 << d.length; mask++) {
      let s = 0;
      for (let k = 0; k < d.length; k++) if (mask & (1 << k)) s += rank[k];
      if (s <= t + 1e-9) below++;
    }
    return Math.min(1, (2 * below) / 2 ** d.length);
  }

  it('untied ranks give the untied distribution (doubled sums)', () => {
    for (let n = 1; n <= 10; n++) {
      const tied = tiedSignedRankCounts(Array.from({ length: n }, (_, i) => i + 1));
      const plain = signedRankCounts(n);
      plain.forEach((c, s) => expect(tied[2 * s]).toBe(c));
      expect(tied.reduce((a, c) => a + c, 0)).toBe(2 ** n);
    }
  });

  it('matches brute-force sign flips of tied samples', () => {
    const random = mulberry32(31);
    for (let trial = 0; trial < 40; trial++) {
      const n = 2 + Math.floor(random() * 10);
      // Values from a small set, so |d| ties often.
      const d = Array.from({ length: n }, () => (random() < 0.4 ? -1 : 1) * (1 + Math.floor(random() * 4)));
      const r = wilcoxonSignedRank(zeros(n), d, { exactTies: true });
      expect(r.method).toBe('exact');
      expect(r.pValue).toBeCloseTo(bruteForceTiedP(d), 14);
    }
  });
});

describe('minP', () => {
  it('is the p-value of all differences of one sign', () => {
    expect(wilcoxonSignedRank(zeros(5), [1, 2, 3, 4, 5]).minP).toBe(2 / 32);
    const d = Array.from({ length: 30 }, (_, i) => i + 1);
    const r = wilcoxonSignedRank(zeros(30), d);
    expect(r.method).toBe('normal');
    expect(r.minP).toBe(r.pValue);
    expect(wilcoxonSignedRank([1, 2], [1, 2]).minP).toBe(1);
  });
});
