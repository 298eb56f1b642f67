import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  erfc,
  mulberry32,
  normalCdf,
  pairedBootstrapCI,
  signedRankCounts,
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
