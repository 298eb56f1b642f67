import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTable2, table2Text, writeReport } from '../../reports/index.js';
import { readResultsDirs } from '../../evaluators/formats/index.js';
import { SHA_B, grid, makeDoc, tempDir, writeDoc, writeManifest } from './leaderboard-fixtures.js';

const persons = ['001', '002'];
const items = ['E1', 'E2', 'E3'];
const COLUMNS = ['neutral.l1', 'neutral.l2', 'neutral.nc', 'neutral.r2_5', 'posed.l1', 'posed.l2', 'posed.nc', 'posed.r2_5'];

/** A method with the same L2 on every item (lower is better in every column of the fixture); `fail` drops one posed item. */
function method(dir: string, name: string, value: number, options: { fail?: boolean; sha?: string; protocol?: string; bench?: string; predUnit?: string } = {}): string {
  return writeDoc(
    dir,
    makeDoc({
      method: name,
      sha: options.sha,
      protocol: options.protocol,
      benchmark: options.bench,
      predUnit: options.predUnit,
      items: grid(persons, items, ['posed', 'neutral'], (p, i, t) => (options.fail && p === 1 && i === 2 && t === 0 ? undefined : value)),
    }),
  );
}

/** Runs writeReport expecting a refusal; returns the one-line message after checking nothing was written. */
function refused(results: string[]): string {
  const root = tempDir('report-refused');
  const out = join(root, 'out', 'report.html');
  let message = '';
  expect(() => {
    try {
      writeReport({ results, out, worst: 0 });
    } catch (error) {
      message = (error as Error).message;
      throw error;
    }
  }).toThrow();
  expect(message).not.toContain('\n');
  expect(existsSync(join(root, 'out'))).toBe(false);
  return message;
}

describe('facebench report refuses results that cannot share a table', () => {
  it('results of two benchmarks (different benchmark_id), naming the file', () => {
    const a = tempDir('report-a');
    const b = tempDir('report-b');
    method(a, 'here', 1);
    method(b, 'there', 0.5, { sha: SHA_B });
    expect(refused([a, b])).toMatch(/there\/results\.json: benchmark differs from .*here\/results\.json \(benchmark_id bbbbbbbbbbbb vs aaaaaaaaaaaa\)/);
  });

  it('results of two protocols, like the leaderboard', () => {
    const a = tempDir('report-p');
    method(a, 'plain', 1);
    method(a, 'metrical', 0.5, { protocol: 'nersemble-metrical' });
    expect(refused([a])).toMatch(/protocol config differs from .*\(nersemble(-metrical)? vs nersemble(-metrical)?\)/);
  });

  it('the same method name twice', () => {
    const a = tempDir('report-d1');
    const b = tempDir('report-d2');
    method(a, 'twin', 1);
    method(b, 'twin', 0.5);
    expect(refused([a, b])).toMatch(/twin\/results\.json: method "twin" also read from .*twin\/results\.json: pass each method once/);
  });

  it('a record whose person or item id is not a plain name (it would become a path), naming the file', () => {
    const a = tempDir('report-path');
    writeDoc(a, makeDoc({ method: 'escape', items: grid(['..'], items, ['posed', 'neutral'], () => 1) }));
    expect(refused([a])).toMatch(/escape\/results\.json: .*items\.0\.person.*"\.\." is not a plain name/);
    const b = tempDir('report-path-item');
    writeDoc(b, makeDoc({ method: 'escape', items: grid(persons, ['../../etc'], ['posed'], () => 1) }));
    expect(refused([b])).toMatch(/escape\/results\.json: .*item.*"\.\.\/\.\.\/etc" is not a plain name/);
  });

  it('accepts the same results when they are comparable (control)', () => {
    const a = tempDir('report-ok');
    method(a, 'one', 1);
    method(a, 'two', 0.5, { predUnit: 'cm' }); // a different prediction unit is not a different protocol
    const root = tempDir('report-ok-out');
    const files = writeReport({ results: [a], out: join(root, 'report.html'), worst: 0 });
    expect(existsSync(files.html)).toBe(true);
    expect(files.tables.table2.rows).toHaveLength(2);
  });
});

describe('Table 2 never marks an incomplete method best', () => {
  it('a method with a failed item is incomplete and not best in any column, even with the lowest values', () => {
    const dir = tempDir('report-incomplete');
    method(dir, 'complete', 1);
    method(dir, 'partial', 0.5, { fail: true });
    const docs = readResultsDirs([dir]).map((r) => r.doc);
    const t = buildTable2(docs);
    const row = (m: string) => t.rows.find((r) => r.method === m)!;
    expect(row('partial')).toMatchObject({ complete: false, status: 'incomplete: posed 5/6 scored, 1 failed' });
    expect(row('complete')).toMatchObject({ complete: true, status: 'complete' });
    // partial's values are better everywhere (its neutral task is even fully scored) ...
    expect(row('partial').values.neutral.l2).toBeLessThan(row('complete').values.neutral.l2!);
    expect(row('partial').values.posed.r2_5).toBeGreaterThan(row('complete').values.posed.r2_5!);
    // ... yet the complete method holds every best mark.
    expect(Object.keys(t.best).sort()).toEqual([...COLUMNS].sort());
    for (const column of COLUMNS) expect(t.best[column]).toEqual(['complete']);
    const text = table2Text(t).split('\n');
    expect(text.find((l) => l.startsWith('partial'))).toMatch(/incomplete: posed 5\/6 scored, 1 failed$/);
    expect(text.find((l) => l.startsWith('complete'))).not.toMatch(/incomplete/);

    const root = tempDir('report-incomplete-out');
    const files = writeReport({ results: [dir], out: join(root, 'report.html'), worst: 0 });
    const csv = readFileSync(files.csv.table2, 'utf8').trim().split('\n');
    const header = csv[0].split(',');
    const cells = (m: string) => csv.find((l) => l.startsWith(`${m},`))!;
    expect(header.slice(-2)).toEqual(['status', 'best_in']);
    expect(cells('partial').endsWith(',"incomplete: posed 5/6 scored, 1 failed",')).toBe(true);
    expect(cells('complete').endsWith(`,complete,${COLUMNS.join(' ')}`)).toBe(true);
    const html = readFileSync(files.html, 'utf8');
    const partialRow = html.match(/<tr class="(\w+)"><th scope="row">partial<\/th>(.*?)<\/tr>/)!;
    expect(partialRow[1]).toBe('incomplete');
    expect(partialRow[2]).not.toContain('best');
    expect(partialRow[2]).toContain('incomplete: posed 5/6 scored, 1 failed');
    const completeRow = html.match(/<tr class="(\w+)"><th scope="row">complete<\/th>(.*?)<\/tr>/)!;
    expect(completeRow[1]).toBe('complete');
    expect(completeRow[2].match(/class="num best"/g)).toHaveLength(8);
  });

  it('items missing against the benchmark manifest make every method incomplete: no best at all', () => {
    const bench = join(tempDir('report-bench'), 'bench');
    writeManifest(bench, 8); // the results hold 6 of 8 items per task
    const dir = tempDir('report-missing');
    method(dir, 'a', 1, { bench });
    method(dir, 'b', 0.5, { bench });
    const t = buildTable2(readResultsDirs([dir]).map((r) => r.doc));
    for (const r of t.rows) expect(r).toMatchObject({ complete: false, status: 'incomplete: posed 6/8 scored; neutral 6/8 scored' });
    for (const column of COLUMNS) expect(t.best[column]).toEqual([]);
  });

  it('without a readable manifest, totals come from the results: fewer items than the others is incomplete', () => {
    const dir = tempDir('report-fewer');
    method(dir, 'full', 1);
    writeDoc(dir, makeDoc({ method: 'short', items: grid(persons, ['E1', 'E2'], ['posed', 'neutral'], () => 0.5) }));
    const t = buildTable2(readResultsDirs([dir]).map((r) => r.doc));
    expect(t.rows.find((r) => r.method === 'short')).toMatchObject({ complete: false, status: 'incomplete: posed 4/6 scored; neutral 4/6 scored' });
    for (const column of COLUMNS) expect(t.best[column]).toEqual(['full']);
  });
});
