import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCommand } from '../../reports/compare.js';
import { clusterBootstrapCI, clusterWilcoxon, mulberry32, pairedBootstrapCI, wilcoxonSignedRank } from '../../reports/paired-stats.js';
import { SHA_B, grid, makeDoc, tempDir, writeDoc } from './leaderboard-fixtures.js';

const persons = ['001', '002', '003', '004', '005'];
const items = ['E1', 'E2', 'E3', 'E4'];

/**
 * 5 persons × 4 items × 2 tasks (20 items per task). base: per-item L2 in [1, 2).
 * shifted: base − 0.3 + noise in ± pairs, so its mean difference is exactly −0.3 on both tasks.
 * same: identical values. partial: like shifted but two posed items failed.
 */
function setup() {
  const dir = tempDir('compare');
  const random = mulberry32(21);
  const base = Array.from({ length: 40 }, () => 1 + random());
  const noise = Array.from({ length: 20 }, () => 0.1 * random()).flatMap((e) => [e, -e]);
  const at = (p: number, i: number, t: number) => (p * items.length + i) * 2 + t;
  // Noise index: ± pairs fall within one task, so each task's mean difference is exactly −0.3.
  const nat = (p: number, i: number, t: number) => t * 20 + p * items.length + i;
  const dirs = {
    base: writeDoc(dir, makeDoc({ method: 'base', items: grid(persons, items, ['posed', 'neutral'], (p, i, t) => base[at(p, i, t)]) })),
    shifted: writeDoc(dir, makeDoc({ method: 'shifted', items: grid(persons, items, ['posed', 'neutral'], (p, i, t) => base[at(p, i, t)] - 0.3 + noise[nat(p, i, t)]) })),
    same: writeDoc(dir, makeDoc({ method: 'same', items: grid(persons, items, ['posed', 'neutral'], (p, i, t) => base[at(p, i, t)]) })),
    partial: writeDoc(
      dir,
      makeDoc({ method: 'partial', items: grid(persons, items, ['posed', 'neutral'], (p, i, t) => (t === 0 && p === 0 && i < 2 ? undefined : base[at(p, i, t)] - 0.3 + noise[nat(p, i, t)])) }),
    ),
  };
  return { dir, dirs, base, noise, at, nat };
}

describe('compare', () => {
  it('ablation table: values, deltas vs base, paired bootstrap CI and Wilcoxon test', () => {
    const { dirs, base, noise, at, nat } = setup();
    const out = tempDir('compare-out');
    const { comparison, text, files } = compareCommand({ base: dirs.base, variant: [dirs.shifted, dirs.same, dirs.partial], out, quiet: true });
    expect(comparison.tasks).toEqual(['posed', 'neutral']);
    expect(comparison.metrics).toEqual(['l1', 'l2', 'nc', 'r2_5']);
    expect(comparison.rows.map((r) => [r.method, r.role])).toEqual([['base', 'base'], ['shifted', 'variant'], ['same', 'variant'], ['partial', 'variant']]);
    const shifted = comparison.rows[1];
    for (const task of ['posed', 'neutral']) {
      expect(shifted.deltas![task].l2).toBeCloseTo(-0.3, 12);
      expect(shifted.deltas![task].l1).toBeCloseTo(-0.45, 12);
      expect(shifted.deltas![task].nc).toBeCloseTo(0.003, 12);
      expect(comparison.rows[2].deltas![task].l2).toBe(0);
    }
    const test = (variant: string, task: string, metric: string) => comparison.tests.find((t) => t.variant === variant && t.task === task && t.metric === metric)!;
    // Constructed shift: the CI contains the true mean difference −0.3 and excludes 0; all 20 differences are < 0.
    const s = test('shifted', 'posed', 'l2');
    expect(s.n).toBe(20);
    expect(s.bootstrap.meanDifference).toBeCloseTo(-0.3, 12);
    expect(s.bootstrap.lower).toBeLessThan(-0.3);
    expect(s.bootstrap.upper).toBeGreaterThan(-0.3);
    expect(s.bootstrap.upper).toBeLessThan(0);
    expect(s.wilcoxon).toMatchObject({ n: 20, wPlus: 0, wMinus: 210, method: 'exact' });
    expect(s.wilcoxon.pValue).toBe(2 / 2 ** 20);
    expect(s).toMatchObject({ unit: 'item', units: 20 });
    // Neutral resamples the 5 persons. Each person's ± noise pairs cancel, so every person's
    // mean difference is −0.3: the cluster bootstrap collapses there, and the Wilcoxon test on
    // 5 negative person means gives 2/2^5.
    const sn = test('shifted', 'neutral', 'l2');
    expect(sn).toMatchObject({ n: 20, unit: 'person', units: 5 });
    expect(sn.bootstrap.meanDifference).toBeCloseTo(-0.3, 12);
    expect(sn.bootstrap.lower).toBeCloseTo(-0.3, 12);
    expect(sn.bootstrap.upper).toBeCloseTo(-0.3, 12);
    expect(sn.wilcoxon).toMatchObject({ n: 5, wPlus: 0, wMinus: 15, method: 'exact', minP: 2 / 32 });
    expect(sn.wilcoxon.pValue).toBe(2 / 32);
    const xn = [...Array(20).keys()].map((k) => base[at(Math.floor(k / 4), k % 4, 1)]);
    const yn = [...Array(20).keys()].map((k) => base[at(Math.floor(k / 4), k % 4, 1)] - 0.3 + noise[nat(Math.floor(k / 4), k % 4, 1)]);
    expect(sn.bootstrap).toEqual(clusterBootstrapCI(xn, yn, [...Array(20).keys()].map((k) => persons[Math.floor(k / 4)]), { seed: 1 }));
    expect(comparison.resampling).toEqual({ posed: 'item', neutral: 'person' });
    // Same values: p = 1 and a CI containing 0.
    const z = test('same', 'neutral', 'l2');
    expect(z.wilcoxon.pValue).toBe(1);
    expect(z.bootstrap.lower).toBeLessThanOrEqual(0);
    expect(z.bootstrap.upper).toBeGreaterThanOrEqual(0);
    // Partial: tests use the 18 posed items both scored; values equal a direct computation on them.
    const pt = test('partial', 'posed', 'l2');
    expect(pt.n).toBe(18);
    const keep = [...Array(20).keys()].filter((k) => k >= 2); // person 001, items E1/E2 failed
    const x = keep.map((k) => base[at(Math.floor(k / 4), k % 4, 0)]);
    const y = keep.map((k) => base[at(Math.floor(k / 4), k % 4, 0)] - 0.3 + noise[nat(Math.floor(k / 4), k % 4, 0)]);
    expect(pt.bootstrap).toEqual(pairedBootstrapCI(x, y, { seed: 1 }));
    expect(pt.wilcoxon).toEqual(wilcoxonSignedRank(x, y));
    expect(comparison.rows[3].scored.posed).toBe('18/20');
    expect(test('partial', 'neutral', 'l2')).toMatchObject({ n: 20, unit: 'person', units: 5 });
    // Outputs.
    expect(text).toMatch(/base \(base\)/);
    expect(text).toMatch(/shifted\s+\S+ \(-0\.450\)\s+\S+ \(-0\.300\)/);
    expect(text).toContain('Resampling unit: posed by item, neutral by person');
    // Every test row names its unit and count.
    const testRows = text.split('\n').filter((l) => /^(shifted|same|partial)\s+(posed|neutral)\s/.test(l));
    expect(testRows).toHaveLength(3 * 2 * 4);
    for (const row of testRows) expect(row).toMatch(row.includes(' neutral ') ? /\sperson, n = 5\s+20\s/ : /\sitem, n = (20\s+20|18\s+18)\s/);
    // 5 persons cannot go below p = 2/2^5 > 0.05: one note, for the neutral task only.
    expect(text.split('\n').filter((l) => l.startsWith('note:'))).toEqual([
      expect.stringMatching(/^note: neutral: with 5 persons the exact Wilcoxon p-value cannot go below 0\.0625 \(2\/2\^5\), so no difference can reach p < 0\.05; .*\(126 distinct resamples\)/),
    ]);
    expect(files && existsSync(files.csv) && existsSync(files.json)).toBe(true);
    const csv = readFileSync(join(out, 'compare.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('method,role,task,metric,value,delta,scored,n_paired,unit,n_units,mean_diff,ci_lower,ci_upper,wilcoxon_p,wilcoxon_min_p,wilcoxon_statistic,wilcoxon_method');
    expect(csv).toHaveLength(1 + 4 * 2 * 4);
    const cells = (method: string, task: string, metric: string) => csv.map((l) => l.split(',')).find((c) => c[0] === method && c[2] === task && c[3] === metric)!;
    expect(cells('shifted', 'neutral', 'l2').slice(7, 10)).toEqual(['20', 'person', '5']);
    expect(cells('partial', 'posed', 'l2').slice(7, 10)).toEqual(['18', 'item', '18']);
    expect(cells('base', 'neutral', 'l2').slice(7, 10)).toEqual(['', '', '']);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.tests).toHaveLength(3 * 2 * 4);
    expect(json.resampling).toEqual({ posed: 'item', neutral: 'person' });
    for (const t of json.tests) expect([t.task, t.unit, t.units]).toEqual(t.task === 'neutral' ? ['neutral', 'person', 5] : ['posed', 'item', t.n]);
  });

  it('is deterministic (seeded bootstrap)', () => {
    const { dirs } = setup();
    const a = compareCommand({ base: dirs.base, variant: [dirs.shifted], quiet: true, resamples: 2000 });
    const b = compareCommand({ base: dirs.base, variant: [dirs.shifted], quiet: true, resamples: 2000 });
    expect(a.comparison.tests).toEqual(b.comparison.tests);
    expect(a.comparison.bootstrap.resamples).toBe(2000);
  });

  it('refuses a variant of another benchmark and a folder with several methods', () => {
    const { dir, dirs } = setup();
    const other = tempDir('compare-other');
    const od = writeDoc(other, makeDoc({ method: 'other', sha: SHA_B, items: grid(persons, items, ['posed'], () => 1) }));
    expect(() => compareCommand({ base: dirs.base, variant: [od], quiet: true })).toThrow(/benchmark differs/);
    expect(() => compareCommand({ base: dir, variant: [dirs.shifted], quiet: true })).toThrow(/holds results of 4 methods .*pass one method's folder as --base/);
    expect(() => compareCommand({ base: dirs.base, variant: [], quiet: true })).toThrow(/no variant given/);
  });
});

describe('compare with few persons', () => {
  it('3 persons: neutral tests count persons and cannot go below p = 0.25, posed tests count the 60 items', () => {
    const dir = tempDir('compare-3');
    const three = ['001', '002', '003'];
    const twenty = Array.from({ length: 20 }, (_, i) => `E${i}`);
    const random = mulberry32(5);
    const base = Array.from({ length: 120 }, () => 1 + random());
    const gain = Array.from({ length: 120 }, () => 0.2 + 0.1 * random());
    const at = (p: number, i: number, t: number) => (p * 20 + i) * 2 + t;
    const b = writeDoc(dir, makeDoc({ method: 'base', items: grid(three, twenty, ['posed', 'neutral'], (p, i, t) => base[at(p, i, t)]) }));
    const v = writeDoc(dir, makeDoc({ method: 'better', items: grid(three, twenty, ['posed', 'neutral'], (p, i, t) => base[at(p, i, t)] - gain[at(p, i, t)]) }));
    const out = tempDir('compare-3-out');
    const { comparison, text } = compareCommand({ base: b, variant: [v], out, quiet: true, resamples: 4000 });
    const neutral = comparison.tests.find((t) => t.task === 'neutral' && t.metric === 'l2')!;
    const posed = comparison.tests.find((t) => t.task === 'posed' && t.metric === 'l2')!;
    expect(neutral).toMatchObject({ n: 60, unit: 'person', units: 3 });
    expect(neutral.wilcoxon).toMatchObject({ n: 3, method: 'exact', pValue: 0.25, minP: 0.25 });
    expect(posed).toMatchObject({ n: 60, unit: 'item', units: 60 });
    expect(posed.wilcoxon.pValue).toBeLessThan(1e-9);
    // The neutral interval is the cluster bootstrap over the 3 persons' item differences.
    const keys = three.flatMap((p, pi) => twenty.map((_, i) => ({ p, x: base[at(pi, i, 1)], y: base[at(pi, i, 1)] - gain[at(pi, i, 1)] })));
    // (Same pairs in another order: equal up to rounding.)
    const ref = clusterBootstrapCI(keys.map((k) => k.x), keys.map((k) => k.y), keys.map((k) => k.p), { resamples: 4000, seed: 1 });
    for (const key of ['meanDifference', 'lower', 'upper'] as const) expect(neutral.bootstrap[key]).toBeCloseTo(ref[key], 12);
    expect(neutral.bootstrap.upper).toBeLessThan(0);
    expect(neutral.wilcoxon).toEqual(clusterWilcoxon(keys.map((k) => k.x), keys.map((k) => k.y), keys.map((k) => k.p)));
    expect(text).toMatch(/better\s+neutral\s+L2\s+person, n = 3\s+60\s/);
    expect(text).toMatch(/better\s+posed\s+L2\s+item, n = 60\s+60\s/);
    const notes = text.split('\n').filter((l) => l.startsWith('note:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^note: neutral: with 3 persons the exact Wilcoxon p-value cannot go below 0\.25 \(2\/2\^3\).* \(10 distinct resamples\)/);
    const csv = readFileSync(join(out, 'compare.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const row = csv.find((c) => c[0] === 'better' && c[2] === 'neutral' && c[3] === 'l2')!;
    expect([row[8], row[9], row[13], row[14]]).toEqual(['person', '3', '0.25', '0.25']);
  });
});
