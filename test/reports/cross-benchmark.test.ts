import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOW_CURVE_MM, tablesCommand } from '../../reports/cross-benchmark.js';
import { SHA_B, grid, makeDoc, tempDir, writeDoc } from './leaderboard-fixtures.js';

/** Thresholds 0, 0.5, …, 10 mm and a curve with value d/10 at d (so 0.1 at 1 mm … 0.8 at 8 mm). */
const thresholds = Array.from({ length: 21 }, (_, k) => k * 0.5);
const linear = (scale: number) => thresholds.map((d) => Math.min(1, (scale * d) / 10));

function nowDoc(method: string, median: number, mean: number, std: number, scale: number, sha = SHA_B, scored = 4) {
  const items = ['A', 'B', 'C', 'D'].map((item, k) => ({ person: 'p1', item, task: 'posed' as const, metrics: k < scored ? { median, mean, std, points: 100 } : undefined }));
  return makeDoc({ method, sha, protocol: 'now', items, thresholds, summary: { posed: { metrics: { median, mean, std, points: 100 * scored }, curve: linear(scale) } } });
}

function setup() {
  const nowDir = tempDir('cross-now');
  writeDoc(nowDir, nowDoc('deca', 1.09, 1.38, 1.18, 1));
  writeDoc(nowDir, nowDoc('mean-shape', 1.5, 1.9, 1.6, 0.5, SHA_B, 3));
  const nersembleDir = tempDir('cross-nersemble');
  writeDoc(nersembleDir, makeDoc({ method: 'deca', items: grid(['001'], ['E1'], ['posed', 'neutral'], () => 1) }));
  writeDoc(nersembleDir, makeDoc({ method: 'only-nersemble', items: grid(['001'], ['E1'], ['posed', 'neutral'], () => 1) }));
  return { nowDir, nersembleDir };
}

describe('cross-benchmark tables', () => {
  it('NoW table: median/mean/std and the cumulative curve at 1…8 mm', () => {
    const { nowDir, nersembleDir } = setup();
    const out = tempDir('cross-out');
    const { tables, text, files } = tablesCommand({ results: [nowDir, nersembleDir], out, quiet: true });
    expect(NOW_CURVE_MM).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const deca = tables.now.find((r) => r.method === 'deca')!;
    expect(deca).toMatchObject({ task: 'posed', median: 1.09, mean: 1.38, std: 1.18, scored: 4, items: 4 });
    deca.curve.forEach((v, k) => expect(v).toBeCloseTo((k + 1) / 10, 12));
    const ms = tables.now.find((r) => r.method === 'mean-shape')!;
    ms.curve.forEach((v, k) => expect(v).toBeCloseTo((k + 1) / 20, 12));
    expect(tables.notes.some((n) => /mean-shape posed 3\/4/.test(n))).toBe(true);
    // Table 3: NoW columns by method name; FaceScape n/a with a footnote; nersemble results skipped.
    expect(tables.table3.map((r) => r.method)).toEqual(['deca', 'mean-shape']);
    expect(tables.table3[0]).toEqual({ method: 'deca', now: { median: 1.09, mean: 1.38, std: 1.18 }, facescape: null });
    expect(tables.skipped.map((s) => `${s.method}:${s.protocol}`).sort()).toEqual(['deca:nersemble', 'only-nersemble:nersemble']);
    expect(text).toMatch(/deca\s+1\.090\s+1\.380\s+1\.180\s+n\/a\s+n\/a\s+n\/a/);
    expect(text).toMatch(/FaceScape: n\/a — no FaceScape results were given \(evaluate with --protocol facescape-lab, or pass FaceScape's shipped per-sample results with --facescape-results\)/);
    expect(text).not.toMatch(/not implemented/);
    const nowCsv = readFileSync(files!.now, 'utf8').trim().split('\n');
    expect(nowCsv[0]).toBe('method,task,median,mean,std,≤1mm,≤2mm,≤3mm,≤4mm,≤5mm,≤6mm,≤7mm,≤8mm,scored');
    expect(nowCsv[1]).toBe('deca,posed,1.090,1.380,1.180,0.1000,0.2000,0.3000,0.4000,0.5000,0.6000,0.7000,0.8000,4/4');
    expect(readFileSync(files!.table3, 'utf8').trim().split('\n')[1]).toBe('deca,1.090,1.380,1.180,n/a,n/a,n/a');
    expect(JSON.parse(readFileSync(files!.json, 'utf8')).table3).toHaveLength(2);
  });

  it('refuses NoW results of two different benchmarks', () => {
    const { nowDir } = setup();
    const other = tempDir('cross-other');
    writeDoc(other, nowDoc('emoca', 1.2, 1.5, 1.3, 1, 'c'.repeat(64)));
    expect(() => tablesCommand({ results: [nowDir, other], quiet: true })).toThrow(/emoca\/results\.json: benchmark differs/);
  });

  it('refuses input without NoW or FaceScape results', () => {
    const { nersembleDir } = setup();
    expect(() => tablesCommand({ results: [nersembleDir], quiet: true })).toThrow(/no NoW or FaceScape results .*protocols: nersemble\): evaluate with --protocol now, facescape-lab or facescape-wild$/);
    expect(() => tablesCommand({ results: [], quiet: true })).toThrow(/^facebench tables: no results given: pass --results <dirs\.\.\.> \(facebench eval results\) or --facescape-results <dir>/);
  });
});
