import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCommand } from '../../reports/compare.js';
import { mulberry32, pairedBootstrapCI, wilcoxonSignedRank } from '../../reports/paired-stats.js';
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
    // Outputs.
    expect(text).toMatch(/base \(base\)/);
    expect(text).toMatch(/shifted\s+\S+ \(-0\.450\)\s+\S+ \(-0\.300\)/);
    expect(files && existsSync(files.csv) && existsSync(files.json)).toBe(true);
    const csv = readFileSync(join(out, 'compare.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('method,role,task,metric,value,delta,scored,n_paired,mean_diff,ci_lower,ci_upper,wilcoxon_p,wilcoxon_statistic,wilcoxon_method');
    expect(csv).toHaveLength(1 + 4 * 2 * 4);
    expect(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')).tests).toHaveLength(3 * 2 * 4);
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
