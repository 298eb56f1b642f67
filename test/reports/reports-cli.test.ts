import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { facebench, tempDir } from '../benchmark/cli-helpers.js';
import { makeReportFixture, type ReportFixture } from './report-fixture.js';
import { SHA_B, grid, makeDoc, writeDoc } from './leaderboard-fixtures.js';

/** The report commands as users call them, on a tiny benchmark with two evaluated methods. */
describe('facebench report / leaderboard / compare / tables', () => {
  const root = tempDir('reports-cli');
  let fixture: ReportFixture;

  beforeAll(async () => {
    fixture = await makeReportFixture(root);
  });

  it('report writes the HTML with its tables beside it', () => {
    const out = join(root, 'out', 'report.html');
    const r = facebench(['report', '--results', fixture.results, '--out', out, '--worst', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`report: ${out}`);
    expect(readFileSync(out, 'utf8')).toContain('Table 2');
    expect(existsSync(join(root, 'out', 'report.table2.csv'))).toBe(true);
  });

  it('report refuses another benchmark or the same method twice in one line naming the file, and writes nothing', () => {
    const other = join(root, 'other-bench');
    const elsewhere = writeDoc(other, makeDoc({ method: 'elsewhere', sha: SHA_B, items: grid(['001'], ['E1'], ['posed', 'neutral'], () => 1) }));
    const out = join(root, 'refused', 'report.html');
    const mixed = facebench(['report', '--results', fixture.results, elsewhere, '--out', out]);
    expect(mixed.status).not.toBe(0);
    expect(mixed.stderr.trim().split('\n')).toHaveLength(1);
    expect(mixed.stderr).toMatch(/elsewhere\/results\.json: benchmark differs from /);
    const twin = join(root, 'twin', 'exact');
    mkdirSync(twin, { recursive: true });
    copyFileSync(join(fixture.methods.exact, 'results.json'), join(twin, 'results.json'));
    const dup = facebench(['report', '--results', fixture.results, twin, '--out', out]);
    expect(dup.status).not.toBe(0);
    expect(dup.stderr.trim().split('\n')).toHaveLength(1);
    expect(dup.stderr).toMatch(/twin\/exact\/results\.json: method "exact" also read from /);
    expect(existsSync(join(root, 'refused'))).toBe(false);
  });

  it('leaderboard ranks the complete method and flags the one with a missing item', () => {
    const out = join(root, 'board');
    const r = facebench(['leaderboard', '--results', fixture.results, '--out', out, '--quiet']);
    expect(r.status).toBe(0);
    const board = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8')) as { rows: { method: string; rank: number | null; complete: boolean }[] };
    const exact = board.rows.find((row) => row.method === 'exact')!;
    const noisy = board.rows.find((row) => row.method !== 'exact')!;
    expect(exact.rank).toBe(1);
    expect(exact.complete).toBe(true);
    expect(noisy.complete).toBe(false);
    expect(noisy.rank).toBeNull();
  });

  it('compare prints deltas and paired tests; tables refuses nersemble-only results', () => {
    const r = facebench(['compare', '--base', fixture.methods.exact, '--variant', ...Object.entries(fixture.methods).filter(([m]) => m !== 'exact').map(([, d]) => d)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Wilcoxon/);
    expect(r.stdout).toMatch(/exact \(base\)/);
    // 2 persons: neutral tests resample persons, posed tests the 3 items both scored.
    expect(r.stdout).toMatch(/neutral\s+L2\s+person, n = 2\s+4\s/);
    expect(r.stdout).toMatch(/posed\s+L2\s+item, n = 3\s+3\s/);
    expect(r.stdout).toMatch(/^note: neutral: with 2 persons the exact Wilcoxon p-value cannot go below 0\.5 /m);
    const t = facebench(['tables', '--results', fixture.results]);
    expect(t.status).not.toBe(0);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
  });
});
