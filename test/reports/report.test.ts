import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, scriptJson, writeReport, type ReportFiles } from '../../reports/index.js';
import type { ResultsDocument } from '../../evaluators/formats/index.js';
import { tempDir } from '../benchmark/cli-helpers.js';
import { ITEMS, PERSONS, makeReportFixture, rankOf, type ReportFixture } from './report-fixture.js';

/**
 * The page's embedded data, with each picture's compact (base64) GT positions, distances and
 * prediction mesh decoded back into arrays (positions relative to the picture's centre).
 */
function pageData(html: string) {
  const data = JSON.parse(html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1]);
  const bytes = (b64: string) => {
    const b = Buffer.from(b64, 'base64');
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  for (const p of data.pictures) {
    p.positions = Array.from(new Int16Array(bytes(p.gt)), (v) => v * data.quantum);
    p.distances = Array.from(new Uint16Array(bytes(p.d)), (v) => v / 1000);
    if (p.mv) {
      p.meshPositions = Array.from(new Int16Array(bytes(p.mv)), (v) => v * data.quantum);
      p.meshFaces = Array.from(p.wide ? new Uint32Array(bytes(p.mf)) : new Uint16Array(bytes(p.mf)));
    }
  }
  return data;
}

describe('facebench report', () => {
  const root = tempDir('report');
  let fx: ReportFixture;
  let files: ReportFiles;
  let docs: Record<string, ResultsDocument>;

  beforeAll(async () => {
    fx = await makeReportFixture(root);
    docs = Object.fromEntries(Object.entries(fx.methods).map(([name, dir]) => [name, JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))]));
    // A folder of method folders, as `facebench eval --out` leaves it.
    files = writeReport({ results: [fx.results], out: join(root, 'out', 'report.html') });
  });

  it('escapes text for HTML and JSON inside <script>', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = scriptJson({ s: '</script><!--' });
    expect(json).not.toMatch(/</);
    expect(JSON.parse(json)).toEqual({ s: '</script><!--' });
  });

  it('Table 2 holds the summary figures of each method, with the best per column marked', () => {
    const t = files.tables.table2;
    expect(t.rows.map((r) => r.method).sort()).toEqual(['exact', 'noisy <i>&']);
    for (const row of t.rows) {
      for (const task of ['neutral', 'posed'] as const) {
        for (const key of ['l1', 'l2', 'nc', 'r2_5'] as const) expect(row.values[task][key]).toBe(docs[row.method].summary[task].metrics[key]);
      }
    }
    expect(t.rows.find((r) => r.method === 'noisy <i>&')!.scored).toEqual({ neutral: '4/4', posed: '3/4' });
    // One posed prediction is missing: incomplete, as on the leaderboard.
    expect([...t.rows].sort((a, b) => a.method.localeCompare(b.method)).map((r) => [r.method, r.complete, r.status])).toEqual([
      ['exact', true, 'complete'],
      ['noisy <i>&', false, 'incomplete: posed 3/4 scored, 1 failed'],
    ]);
    // The exact method is (near) zero error: lowest L1/L2, highest NC and R@2.5 in both tasks.
    for (const column of ['neutral.l1', 'neutral.l2', 'neutral.nc', 'neutral.r2_5', 'posed.l1', 'posed.l2', 'posed.nc', 'posed.r2_5']) {
      expect(t.best[column]).toContain('exact');
    }
    expect(docs['noisy <i>&'].summary.posed.metrics.l2).toBeGreaterThan(docs.exact.summary.posed.metrics.l2 + 0.05);
  });

  it('breaks results down per person (means of scored items) and per expression rank from the manifest', () => {
    const noisy = docs['noisy <i>&'];
    for (const pid of PERSONS) {
      const ok = noisy.items.filter((r) => r.person === pid && r.task === 'posed' && r.status === 'ok');
      const row = files.tables.byPerson.find((r) => r.method === 'noisy <i>&' && r.task === 'posed' && r.group === pid)!;
      expect(row.items).toBe(2);
      expect(row.scored).toBe(ok.length);
      expect(row.l2).toBeCloseTo(ok.reduce((a, r) => a + r.metrics!.l2, 0) / ok.length, 12);
    }
    const ranks = files.tables.byRank.filter((r) => r.method === 'exact' && r.task === 'neutral');
    expect(ranks.map((r) => Number(r.group))).toEqual([0, 1, 2, 3]);
    for (const r of files.tables.items) expect(r.rank).toBe(rankOf(PERSONS.indexOf(r.person), ITEMS.indexOf(r.item)));
    // No view angles in the manifest: no view breakdown, and the page says why.
    expect(files.tables.byView).toEqual([]);
    expect(readFileSync(files.html, 'utf8')).toMatch(/records no view angles .*rebuild it for the per-view-angle breakdown/);
    const failed = files.tables.items.filter((r) => r.status !== 'ok');
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatch(/mesh_posed\.ply: file not found/);
  });

  it('writes one self-contained HTML file with plotly inlined and every text escaped', () => {
    const html = readFileSync(files.html, 'utf8');
    expect(html.length).toBeGreaterThan(1_000_000); // plotly.js basic bundle inlined (minified, about 1.2 MB)
    expect(html.length).toBeLessThan(2_500_000);
    expect(html).not.toMatch(/<script[^>]+src=/); // nothing fetched at open time
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('noisy &lt;i&gt;&amp;');
    expect(html).not.toContain('noisy <i>&');
    for (const id of ['table2', 'curves', 'by-person', 'by-rank', 'worst', 'items-table', 'provenance', 'item-keys']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain(docs.exact.benchmark_id);
    expect(html).toContain(docs.exact.items[0].key);
    expect(html).toContain('maxCorrespondenceDistance');
  });

  it('writes the same tables as JSON and CSV beside the HTML', () => {
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(files.json).toBe(join(root, 'out', 'report.json'));
    expect(json.table2).toEqual(JSON.parse(JSON.stringify(files.tables.table2)));
    expect(json.items).toHaveLength(16);
    expect(Object.keys(files.csv).sort()).toEqual(['by-person', 'by-rank', 'by-view', 'curves', 'items', 'table2']);
    // The fixture's manifest records no view angles (as one built before them): a header-only by-view CSV.
    expect(readFileSync(files.csv['by-view'], 'utf8').trim()).toBe('method,task,view_bin,items,scored,l1,l2,nc,r2_5');
    const table2 = readFileSync(files.csv.table2, 'utf8').trim().split('\n');
    expect(table2[0]).toBe('method,neutral_l1,neutral_l2,neutral_nc,neutral_r2_5,posed_l1,posed_l2,posed_nc,posed_r2_5,neutral_scored,posed_scored,status,best_in');
    expect(table2).toHaveLength(3);
    const items = readFileSync(files.csv.items, 'utf8').trim().split('\n');
    expect(items).toHaveLength(17);
    const curves = readFileSync(files.csv.curves, 'utf8').trim().split('\n');
    expect(curves).toHaveLength(1 + 2 * 2 * 101);
  });

  it('pictures the worst items as GT points coloured by distance', () => {
    const html = readFileSync(files.html, 'utf8');
    const data = pageData(html);
    expect(data.pictures).toHaveLength(6); // 3 per method
    const noisy = docs['noisy <i>&'].items.filter((r) => r.status === 'ok').sort((a, b) => b.metrics!.l2 - a.metrics!.l2);
    const pics = data.pictures.filter((p: { method: string }) => p.method === 'noisy <i>&');
    expect(pics.map((p: { item: string; task: string }) => `${p.item}/${p.task}`)).toEqual(noisy.slice(0, 3).map((r) => `${r.item}/${r.task}`));
    for (const p of pics) {
      expect(p.points).toBe(1500);
      expect(p.positions).toHaveLength(3 * p.distances.length);
      // The stored alignment reproduces the stored figure: L2 is the mean point-to-surface distance.
      const mean = p.distances.reduce((a: number, d: number) => a + d, 0) / p.distances.length;
      expect(mean).toBeCloseTo(p.l2, 3);
    }
    for (const p of data.pictures.filter((q: { method: string }) => q.method === 'exact')) expect(Math.max(...p.distances)).toBeLessThan(1e-3);
    // Each picture carries the aligned prediction mesh (in the GT frame, around the same centre):
    // the GT points of the exact method lie on it, so it spans the GT points' extent.
    for (const p of data.pictures) {
      expect(p.meshFaces.length % 3).toBe(0);
      expect(p.meshFaces.length).toBeGreaterThan(300);
      expect(Math.max(...p.meshFaces)).toBeLessThan(p.meshPositions.length / 3);
      expect(p.mn).toBeLessThanOrEqual(2500);
      const extent = (v: number[], a: number) => Math.max(...v.filter((_, i) => i % 3 === a)) - Math.min(...v.filter((_, i) => i % 3 === a));
      for (const a of [0, 1, 2]) expect(extent(p.meshPositions, a)).toBeGreaterThan(0.8 * extent(p.positions, a));
    }
    const small = writeReport({ results: [fx.methods.exact], out: join(root, 'small', 'r.html'), maxPoints: 100 });
    const smallData = pageData(readFileSync(small.html, 'utf8'));
    for (const p of smallData.pictures) expect(p.distances.length).toBeLessThanOrEqual(100);
  });

  it('skips pictures with a note when the prediction files are gone', () => {
    const doc = { ...docs.exact, method: 'moved-away', predictions: join(root, 'no-such-predictions') };
    const dir = join(root, 'gone', 'moved-away');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'results.json'), JSON.stringify(doc));
    const r = writeReport({ results: [dir], out: join(root, 'gone', 'report.html') });
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/moved-away: no error pictures .*no-such-predictions/);
    expect(readFileSync(r.html, 'utf8')).toContain('no-such-predictions');
    expect(r.tables.table2.rows).toHaveLength(1);
  });

  it('refuses a folder without results in one line', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => writeReport({ results: [empty], out: join(root, 'never.html') })).toThrow(/empty: no results\.json here nor in its subfolders/);
    expect(existsSync(join(root, 'never.html'))).toBe(false);
  });
});
