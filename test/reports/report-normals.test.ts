import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport, type ReportFiles } from '../../reports/index.js';
import { facebench } from '../benchmark/cli-helpers.js';
import { SHA_A, SHA_B, grid, makeDoc, tempDir, writeDoc } from './leaderboard-fixtures.js';

const persons = ['001', '002'];
const items = ['E1', 'E2'];

interface ItemScore {
  person: string;
  item: string;
  pixels: number;
  missing: number;
  meanCosine: number;
  meanAngleDeg: number;
  medianAngleDeg: number;
}

/**
 * A normals.json as `facebench eval-normals` writes it, from hand-written per-item scores
 * (`skip` lists `<pid>/<item>` without a prediction); the overall figures are the item means.
 */
function normalsDoc(method: string, scores: Omit<ItemScore, 'person' | 'item'>[], options: { skip?: string[]; benchmarkId?: string | null } = {}) {
  const all = persons.flatMap((person) => items.map((item) => ({ person, item })));
  const missing = all.map((i) => `${i.person}/${i.item}`).filter((id) => options.skip?.includes(id));
  const scored: ItemScore[] = all.filter((i) => !missing.includes(`${i.person}/${i.item}`)).map((i, k) => ({ ...i, ...scores[k % scores.length] }));
  const mean = (key: 'meanCosine' | 'meanAngleDeg' | 'medianAngleDeg') => scored.reduce((a, r) => a + r[key], 0) / scored.length;
  return {
    tool: { name: 'facebench', version: '0.0.0-test' },
    method,
    ...(options.benchmarkId === null ? {} : { benchmark_id: options.benchmarkId ?? SHA_A }),
    bench: '/nonexistent/bench',
    pred: `/nonexistent/pred/${method}`,
    created: '2026-01-01T00:00:00Z',
    overall: {
      items: scored.length,
      missingItems: missing.length,
      meanCosine: mean('meanCosine'),
      meanAngleDeg: mean('meanAngleDeg'),
      medianAngleDeg: mean('medianAngleDeg'),
      pixels: scored.reduce((a, r) => a + r.pixels, 0),
    },
    missing,
    items: scored,
  };
}

function writeNormals(dir: string, doc: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'normals.json');
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** Two evaluated methods (results.json) in one eval --out folder. */
function results(root: string, sha = SHA_A): { dir: string; a: string; b: string } {
  const dir = join(root, 'results');
  const a = writeDoc(dir, makeDoc({ method: 'alpha', sha, items: grid(persons, items, ['posed', 'neutral'], () => 1) }));
  const b = writeDoc(dir, makeDoc({ method: 'beta', sha, items: grid(persons, items, ['posed', 'neutral'], () => 2) }));
  return { dir, a, b };
}

/** writeReport expecting a refusal: the one-line message, after checking nothing was written. */
function refused(options: { results: string[]; normals?: string[] }): string {
  const out = join(tempDir('normals-refused'), 'out', 'report.html');
  let message = '';
  expect(() => {
    try {
      writeReport({ ...options, out, worst: 0 });
    } catch (error) {
      message = (error as Error).message;
      throw error;
    }
  }).toThrow();
  expect(message).not.toContain('\n');
  expect(existsSync(join(out, '..'))).toBe(false);
  return message;
}

const rowOf = (html: string, table: string, method: string) => {
  const section = html.slice(html.indexOf(`<table id="${table}">`));
  return section.match(new RegExp(`<tr class="(\\w+)"><th scope="row">${method}</th>(.*?)</tr>`))!;
};

describe('facebench report: normal estimation (Table 4)', () => {
  // alpha: better cosine and mean angle; beta: better median angle, read through --normals.
  const alphaScores = [
    { pixels: 100, missing: 0, meanCosine: 0.95, meanAngleDeg: 14, medianAngleDeg: 12 },
    { pixels: 120, missing: 3, meanCosine: 0.93, meanAngleDeg: 16, medianAngleDeg: 13 },
  ];
  const betaScores = [
    { pixels: 100, missing: 0, meanCosine: 0.9, meanAngleDeg: 18, medianAngleDeg: 9 },
    { pixels: 120, missing: 0, meanCosine: 0.92, meanAngleDeg: 17, medianAngleDeg: 10 },
  ];

  function withTwoMethods(): { root: string; files: ReportFiles; alphaFile: string; betaFile: string } {
    const root = tempDir('normals-report');
    const r = results(root);
    // alpha: eval-normals --out <results>/alpha, beside results.json; beta: its own folder, given with --normals.
    const alphaFile = writeNormals(r.a, normalsDoc('alpha', alphaScores));
    const betaFile = writeNormals(join(root, 'normals-beta'), normalsDoc('beta', betaScores));
    const files = writeReport({ results: [r.dir], normals: [join(root, 'normals-beta')], out: join(root, 'out', 'report.html'), worst: 0 });
    return { root, files, alphaFile, betaFile };
  }

  it('Table 4 holds the figures of each normals.json, with the best per column marked as in Table 2', () => {
    const { files, alphaFile, betaFile } = withTwoMethods();
    const t = files.tables.normals!;
    expect(t.rows.map((r) => r.method)).toEqual(['alpha', 'beta']);
    for (const [method, file] of [['alpha', alphaFile], ['beta', betaFile]]) {
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      const row = t.rows.find((r) => r.method === method)!;
      expect(row.values).toEqual({ meanCosine: doc.overall.meanCosine, meanAngleDeg: doc.overall.meanAngleDeg, medianAngleDeg: doc.overall.medianAngleDeg });
      expect(row).toMatchObject({ scored: 4, missing: 0, total: 4, pixels: 440, complete: true, status: 'complete', file, benchmark_id: SHA_A });
    }
    // The means of the items written above.
    expect(t.rows[0].values.meanCosine).toBeCloseTo(0.94, 12);
    expect(t.rows[1].values.medianAngleDeg).toBeCloseTo(9.5, 12);
    expect(t.best).toEqual({ meanCosine: ['alpha'], meanAngleDeg: ['alpha'], medianAngleDeg: ['beta'] });
    expect(t.items).toHaveLength(8);
    expect(t.items.filter((r) => r.method === 'alpha').map((r) => r.meanCosine)).toEqual([0.95, 0.93, 0.95, 0.93]);

    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('<h2>Normal estimation (Table 4)</h2>');
    expect(html.indexOf('id="table2"')).toBeLessThan(html.indexOf('id="table4"'));
    const alpha = rowOf(html, 'table4', 'alpha');
    const beta = rowOf(html, 'table4', 'beta');
    expect(alpha[1]).toBe('complete');
    // Cosine to 4 decimals, angles to 2; best cells bold with the class Table 2 uses.
    expect(alpha[2]).toContain('<td class="num best" title="best"><b>0.9400</b></td><td class="num best" title="best"><b>15.00</b></td><td class="num">12.50</td>');
    expect(beta[2]).toContain('<td class="num">0.9100</td><td class="num">17.50</td><td class="num best" title="best"><b>9.50</b></td>');
    expect(alpha[2]).toContain('<td class="num">4/4</td><td class="num">0</td><td>complete</td>');
    // Per-item rows behind a disclosure.
    expect(html).toMatch(/<details id="normals-details"><summary>Per-item normal scores \(8 rows\)<\/summary><table id="normals-items">/);
    expect(html).toContain(betaFile);
  });

  it('exports Table 4 as normals in report.json and as report.normals.csv', () => {
    const { files } = withTwoMethods();
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(json.normals).toEqual(JSON.parse(JSON.stringify(files.tables.normals)));
    expect(Object.keys(files.csv).sort()).toEqual(['by-person', 'by-rank', 'by-view', 'curves', 'items', 'normals', 'table2']);
    expect(files.csv.normals).toBe(join(files.html, '..', 'report.normals.csv'));
    const csv = readFileSync(files.csv.normals, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('method,mean_cosine,mean_angle_deg,median_angle_deg,items_scored,items_missing,pixels,status,best_in');
    const alpha = csv.find((l) => l.startsWith('alpha,'))!.split(',');
    expect(Number(alpha[1])).toBeCloseTo(0.94, 12);
    expect(alpha.slice(4)).toEqual(['4', '0', '440', 'complete', 'mean_cosine mean_angle_deg']);
    expect(csv.find((l) => l.startsWith('beta,'))!.endsWith(',complete,median_angle_deg')).toBe(true);
  });

  it('a method with items lacking a normal map is incomplete and never best, even with better values', () => {
    const root = tempDir('normals-incomplete');
    const r = results(root);
    writeNormals(r.a, normalsDoc('alpha', betaScores));
    const perfect = [{ pixels: 100, missing: 0, meanCosine: 1, meanAngleDeg: 0, medianAngleDeg: 0 }];
    writeNormals(r.b, normalsDoc('beta', perfect, { skip: ['002/E2'] }));
    const files = writeReport({ results: [r.dir], out: join(root, 'report.html'), worst: 0 });
    const t = files.tables.normals!;
    expect(t.rows.find((row) => row.method === 'beta')).toMatchObject({ scored: 3, missing: 1, complete: false, status: 'incomplete: 3/4 items with a normal map' });
    expect(t.best).toEqual({ meanCosine: ['alpha'], meanAngleDeg: ['alpha'], medianAngleDeg: ['alpha'] });
    expect(t.items.find((i) => i.method === 'beta' && i.person === '002' && i.item === 'E2')).toMatchObject({ status: 'no prediction', meanCosine: null });
    const html = readFileSync(files.html, 'utf8');
    const beta = rowOf(html, 'table4', 'beta');
    expect(beta[1]).toBe('incomplete');
    expect(beta[2]).not.toContain('best');
  });

  it('has no Table 4 section, CSV or figures without normal-map results', () => {
    const root = tempDir('normals-none');
    const files = writeReport({ results: [results(root).dir], out: join(root, 'report.html'), worst: 0 });
    expect(files.tables.normals).toBeNull();
    expect(Object.keys(files.csv)).not.toContain('normals');
    expect(existsSync(join(root, 'report.normals.csv'))).toBe(false);
    const html = readFileSync(files.html, 'utf8');
    expect(html).not.toContain('Normal estimation');
    expect(html).not.toContain('id="table4"');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).normals).toBeNull();
  });

  it('names a normals.json written before --method after its predictions folder', () => {
    const root = tempDir('normals-old');
    const r = results(root);
    const { method: _m, tool: _t, created: _c, benchmark_id: _b, ...old } = normalsDoc('alpha', alphaScores);
    writeNormals(join(root, 'old'), { ...old, pred: '/somewhere/my-method' });
    const files = writeReport({ results: [r.dir], normals: [join(root, 'old')], out: join(root, 'report.html'), worst: 0 });
    expect(files.tables.normals!.rows.map((row) => [row.method, row.benchmark_id])).toEqual([['my-method', null]]);
  });

  it('refuses a malformed normals.json in one line naming the file, from a results folder or from --normals', () => {
    const root = tempDir('normals-malformed');
    const r = results(root);
    const bad = normalsDoc('alpha', alphaScores);
    const inResults = writeNormals(r.a, { ...bad, overall: { ...bad.overall, meanCosine: 'high' } });
    expect(refused({ results: [r.dir] })).toMatch(new RegExp(`^${inResults}: not a normals\\.json written by \`facebench eval-normals\`: overall\\.meanCosine: .*\\(1 schema problem\\)$`));
    writeFileSync(inResults, '{"method": "alpha", ');
    expect(refused({ results: [r.a] })).toMatch(new RegExp(`^${inResults}: not valid JSON`));

    const other = tempDir('normals-malformed-b');
    const r2 = results(other);
    const given = writeNormals(join(other, 'n'), { ...bad, items: bad.items.slice(1) });
    expect(refused({ results: [r2.dir], normals: [join(other, 'n')] })).toMatch(new RegExp(`^${given}: not a normals\\.json .*overall\\.items: is 4 but 3 items are listed`));
    expect(refused({ results: [r2.dir], normals: [join(other, 'nowhere')] })).toMatch(/nowhere: not found: pass a folder written by `facebench eval-normals --out`/);
    expect(refused({ results: [r2.dir], normals: [r2.b] })).toMatch(/beta: no normals\.json here nor in its subfolders/);
  });

  it('refuses normal maps of another benchmark, and a method read twice', () => {
    const root = tempDir('normals-other-bench');
    const r = results(root);
    const foreign = writeNormals(join(root, 'foreign'), normalsDoc('gamma', alphaScores, { benchmarkId: SHA_B }));
    expect(refused({ results: [r.dir], normals: [join(root, 'foreign')] })).toMatch(
      new RegExp(`^${foreign}: benchmark differs from .*alpha/results\\.json \\(benchmark_id bbbbbbbbbbbb vs aaaaaaaaaaaa\\): normal maps of another benchmark`),
    );
    writeNormals(r.a, normalsDoc('alpha', alphaScores));
    const twice = writeNormals(join(root, 'again'), normalsDoc('alpha', betaScores));
    expect(refused({ results: [r.dir], normals: [join(root, 'again')] })).toMatch(new RegExp(`^${twice}: method "alpha" also read from .*results/alpha/normals\\.json`));
    // The same file named again is read once.
    const files = writeReport({ results: [r.dir], normals: [r.a, join(r.a, 'normals.json')], out: join(root, 'ok', 'report.html'), worst: 0 });
    expect(files.tables.normals!.rows).toHaveLength(1);
  });

  it('report --normals takes a space-separated list through the CLI; bad normals exit 1 in one line', () => {
    const root = tempDir('normals-cli');
    const r = results(root);
    writeNormals(join(root, 'n-alpha'), normalsDoc('alpha', alphaScores));
    writeNormals(join(root, 'n-beta'), normalsDoc('beta', betaScores));
    const out = join(root, 'out', 'report.html');
    // --normals before --results, each list ended by the next option.
    const ok = facebench(['report', '--normals', join(root, 'n-alpha'), join(root, 'n-beta'), '--results', r.dir, '--out', out, '--worst', '0']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Table 4 from 2 normals.json');
    const json = JSON.parse(readFileSync(join(root, 'out', 'report.json'), 'utf8'));
    expect(json.normals.rows.map((row: { method: string }) => row.method)).toEqual(['alpha', 'beta']);
    expect(json.normals.best.medianAngleDeg).toEqual(['beta']);
    expect(existsSync(join(root, 'out', 'report.normals.csv'))).toBe(true);
    const quiet = facebench(['report', '--results', r.dir, '--normals', join(root, 'n-alpha'), '--out', join(root, 'q', 'report.html'), '--worst', '0', '--quiet']);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toBe('');

    const broken = writeNormals(join(root, 'n-broken'), { method: 'broken' });
    const bad = facebench(['report', '--results', r.dir, '--normals', join(root, 'n-alpha'), join(root, 'n-broken'), '--out', join(root, 'bad', 'report.html')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(`facebench: ${broken}: not a normals.json written by \`facebench eval-normals\``);
    expect(existsSync(join(root, 'bad'))).toBe(false);
    expect(facebench(['report', '--help']).stdout).toMatch(/--normals <dirs\.\.\.>/);
  });
});
