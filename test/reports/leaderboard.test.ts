import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLeaderboard, leaderboardCommand } from '../../reports/leaderboard.js';
import { readResultsDirs } from '../../evaluators/formats/index.js';
import { escapeHtml } from '../../reports/report-html.js';
import { SHA_B, grid, makeDoc, tempDir, writeDoc, writeManifest } from './leaderboard-fixtures.js';

const persons = ['001', '002'];
const items = ['E1', 'E2', 'E3'];

/**
 * Four methods on 2 persons × 3 items × 2 tasks with known per-item L2:
 * good (posed 1.0), better (0.5), worse (2.0), and "tiny" with posed L2 0.1 but one failed
 * item — the lowest mean, which must not be ranked among the complete methods.
 */
function setup(bench?: string) {
  const dir = tempDir('leaderboard');
  const mk = (method: string, posed: number, neutral: number, fail = false) =>
    writeDoc(
      dir,
      makeDoc({
        method,
        benchmark: bench,
        items: grid(persons, items, ['posed', 'neutral'], (p, i, t) => (fail && p === 1 && i === 2 && t === 0 ? undefined : t === 0 ? posed : neutral)),
      }),
    );
  mk('good', 1.0, 0.9);
  mk('better', 0.5, 1.2);
  mk('worse', 2.0, 0.3);
  mk('tiny<b>', 0.1, 0.1, true);
  return dir;
}

describe('leaderboard', () => {
  it('ranks complete methods by posed L2 and lists the incomplete one after them, unranked', () => {
    const board = buildLeaderboard(readResultsDirs([setup()]));
    expect(board.rows.map((r) => [r.rank, r.method])).toEqual([
      [1, 'better'],
      [2, 'good'],
      [3, 'worse'],
      [null, 'tiny<b>'],
    ]);
    expect(board.rows.map((r) => r.metrics.posed.l2)).toEqual([0.5, 1.0, 2.0, 0.1]);
    board.rows.forEach((r, k) => expect(r.metrics.neutral.l2).toBeCloseTo([1.2, 0.9, 0.3, 0.1][k], 12));
    const tiny = board.rows[3];
    expect(tiny.complete).toBe(false);
    expect(tiny.status).toBe('incomplete: posed 5/6 scored, 1 failed');
    expect(tiny.coverage).toEqual({ posed: { scored: 5, total: 6 }, neutral: { scored: 6, total: 6 } });
    expect(tiny.coverageFraction).toBeCloseTo(11 / 12, 14);
    expect(board.totals_from).toBe('results');
    expect(board.ranked_by).toMatch(/^posed l2/);
  });

  it('takes the item totals from the benchmark manifest: a method missing items is incomplete', () => {
    const bench = join(tempDir('lb-bench'), 'bench');
    writeManifest(bench, 8); // 8 items in the benchmark, the results hold 6
    const board = buildLeaderboard(readResultsDirs([setup(bench)]));
    expect(board.totals_from).toBe('manifest');
    expect(board.rows.every((r) => r.rank === null && !r.complete)).toBe(true);
    expect(board.rows.find((r) => r.method === 'good')!.coverage.posed).toEqual({ scored: 6, total: 8 });
    expect(board.rows.find((r) => r.method === 'good')!.status).toBe('incomplete: posed 6/8 scored; neutral 6/8 scored');
    // Still ordered by posed L2 among themselves.
    expect(board.rows.map((r) => r.method)).toEqual(['tiny<b>', 'better', 'good', 'worse']);
  });

  it('writes HTML with escaped text, CSV and JSON', () => {
    const out = tempDir('lb-out');
    const { files, board } = leaderboardCommand({ results: [setup()], out, quiet: true });
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('tiny&lt;b&gt;');
    expect(html).not.toContain('tiny<b>');
    expect(html).toContain('<tr class="incomplete">');
    expect(html).toContain('5/6 · 6/6 (91.7%)');
    const csv = readFileSync(files.csv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rank,method,status,posed_l1,posed_l2,posed_nc,posed_r2_5,neutral_l1,neutral_l2,neutral_nc,neutral_r2_5,posed_scored,posed_total,neutral_scored,neutral_total,coverage');
    const row = csv[1].split(',');
    expect(row.slice(0, 3)).toEqual(['1', 'better', 'complete']);
    const expected = [0.75, 0.5, 0.995, 0.95, 1.8, 1.2, 0.988, 0.88, 6, 6, 6, 6, 1];
    row.slice(3).forEach((v, k) => expect(Number(v)).toBeCloseTo(expected[k], 12));
    expect(csv[4].startsWith(',tiny<b>,"incomplete: posed 5/6 scored, 1 failed"')).toBe(true);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(board)));
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });

  it('refuses results of another benchmark or protocol with a one-line error', () => {
    const dir = setup();
    const other = tempDir('lb-other');
    writeDoc(other, makeDoc({ method: 'elsewhere', sha: SHA_B, items: grid(persons, items, ['posed'], () => 1) }));
    expect(() => buildLeaderboard(readResultsDirs([dir, other]))).toThrow(/elsewhere\/results\.json: benchmark differs from .*benchmark_id bbbbbbbbbbbb vs aaaaaaaaaaaa/);
    const metrical = tempDir('lb-metrical');
    writeDoc(metrical, makeDoc({ method: 'metric', protocol: 'nersemble-metrical', items: grid(persons, items, ['posed'], () => 1) }));
    expect(() => buildLeaderboard(readResultsDirs([dir, metrical]))).toThrow(/protocol config differs .*\(nersemble-metrical vs nersemble\)/);
    try {
      buildLeaderboard(readResultsDirs([dir, metrical]));
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
    // A different prediction unit is not a different protocol.
    const cm = tempDir('lb-cm');
    writeDoc(cm, makeDoc({ method: 'in-cm', predUnit: 'cm', items: grid(persons, items, ['posed', 'neutral'], () => 0.7) }));
    expect(buildLeaderboard(readResultsDirs([dir, cm])).rows.map((r) => r.method)).toContain('in-cm');
  });

  it('refuses folders without results and the same method twice', () => {
    expect(() => readResultsDirs([tempDir('lb-empty')])).toThrow(/no results\.json here nor in its subfolders/);
    const dir = setup();
    expect(readResultsDirs([dir, join(dir, 'good')])).toHaveLength(4);
    const twin = tempDir('lb-twin');
    writeDoc(twin, makeDoc({ method: 'good', items: grid(persons, items, ['posed'], () => 1) }));
    expect(() => buildLeaderboard(readResultsDirs([dir, twin]))).toThrow(/method "good" also read from/);
  });
});
