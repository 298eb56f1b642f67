/**
 * `facebench report --figures DIR`: the breakdown charts as SVG (one line or bar group per
 * method, axes and labels), Table 2 as booktabs LaTeX (best per column bold, names escaped),
 * the panel rows as PNG, figures.json; a file given as the folder is refused before anything
 * is written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { breakdownCharts, chartSvg, latexEscape, niceTicks, table2Latex, writeReport, type ChartSpec, type ReportFiles, type Table2 } from '../../reports/index.js';
import { facebench, tempDir } from '../benchmark/cli-helpers.js';
import { makeReportFixture, type ReportFixture } from './report-fixture.js';

const count = (text: string, re: RegExp) => [...text.matchAll(re)].length;

describe('SVG charts', () => {
  const line: ChartSpec = {
    id: 'rank-posed',
    kind: 'line',
    title: 'Posed: mean L2 by expression rank',
    xLabel: 'Expression rank',
    yLabel: 'L2 (mm)',
    categories: ['0', '1', '2', '3'],
    series: [
      { name: 'alpha', colour: '#0072B2', y: [1, 1.5, 2, 2.4] },
      { name: 'beta <b>&', colour: '#E69F00', y: [0.5, 0.7, 0.9, 1.1] },
      { name: 'gamma', colour: '#009E73', y: [2, 2.1, 2.2, 2.3] },
    ],
  };

  it('draws one polyline per method, with axes, tick labels, axis labels and a legend', () => {
    const svg = chartSvg(line);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, /<polyline class="series-line"/g)).toBe(3);
    expect(count(svg, /<g class="series"/g)).toBe(3);
    for (const colour of ['#0072B2', '#E69F00', '#009E73']) expect(count(svg, new RegExp(`<polyline[^>]*stroke="${colour}"`, 'g'))).toBe(1);
    expect(svg).toContain('<text class="axis-label" x="');
    expect(svg).toMatch(/<text class="axis-label"[^>]*>Expression rank<\/text>/);
    expect(svg).toMatch(/<text class="axis-label"[^>]*rotate\(-90\)[^>]*>L2 \(mm\)<\/text>/);
    for (const c of ['0', '1', '2', '3']) expect(svg).toMatch(new RegExp(`<text class="tick"[^>]*>${c}</text>`));
    expect(svg).toMatch(/<text class="tick"[^>]*>2\.5<\/text>/); // the y ticks reach past the largest value (2.4)
    expect(count(svg, /<text class="legend-label"/g)).toBe(3);
    expect(svg).toContain('beta &lt;b&gt;&amp;');
    expect(svg).not.toContain('<b>');
    // Balanced, well-formed enough for an XML reader: every opened element is closed.
    expect(count(svg, /<g[ >]/g)).toBe(count(svg, /<\/g>/g));
  });

  it('breaks a line where a method has no value, and draws grouped bars per method', () => {
    const gap = chartSvg({ ...line, series: [{ name: 'a', colour: '#000000', y: [1, null, 2, 3] }] });
    expect(count(gap, /<polyline class="series-line"/g)).toBe(2);
    const bars = chartSvg({ ...line, id: 'person-posed', kind: 'bars', categories: ['001', '002'], series: line.series.map((s) => ({ ...s, y: s.y.slice(0, 2) })) });
    expect(count(bars, /<polyline/g)).toBe(0);
    expect(count(bars, /<g class="series"/g)).toBe(3);
    expect(count(bars, /<rect [^>]*><title>/g)).toBe(6); // one bar per method and person
    expect(count(bars, /<g class="legend">[\s\S]*<rect /g)).toBe(1); // and a legend swatch per method
    for (const s of line.series) expect(bars).toContain(`fill="${s.colour}"`);
  });

  it('makes one chart per breakdown and task: lines by rank, bars by person and by view bin in bin order', () => {
    const row = (method: string, task: string, group: string, l2: number) => ({ method, task, group, items: 1, scored: 1, l1: l2, l2, nc: 0.9, r2_5: 0.9 });
    const tables = {
      table2: { rows: [{ method: 'a' }, { method: 'b' }], best: {} },
      byRank: [row('a', 'posed', '10', 1), row('a', 'posed', '2', 2), row('b', 'posed', '2', 3)],
      byPerson: [row('a', 'neutral', '001', 1), row('b', 'neutral', '002', 2)],
      byView: [row('a', 'posed', '60°+', 1), row('a', 'posed', '0–15°', 2), row('b', 'posed', '15–30°', 3)],
    } as unknown as Parameters<typeof breakdownCharts>[0];
    const charts = breakdownCharts(tables);
    expect(charts.map((c) => `${c.id} ${c.kind}`)).toEqual(['rank-posed line', 'person-neutral bars', 'view-posed bars']);
    expect(charts[0].categories).toEqual(['2', '10']); // numerically
    expect(charts[0].series.map((s) => [s.name, s.y])).toEqual([['a', [2, 1]], ['b', [3, null]]]);
    expect(charts[2].categories).toEqual(['0–15°', '15–30°', '60°+']);
    expect(charts[0].series.map((s) => s.colour)).toEqual(charts[2].series.map((s) => s.colour)); // a method keeps its colour
    const svg = chartSvg(charts[2]);
    expect(svg).toMatch(/<text class="axis-label"[^>]*>View angle<\/text>/);
    expect(count(svg, /<g class="series"/g)).toBe(2);
  });

  it('picks nice ticks from 0', () => {
    expect(niceTicks(2.4)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(0.93)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe('table2.tex', () => {
  const t: Table2 = {
    rows: [
      { method: 'a_b & c%', values: { neutral: { l1: 1.23456, l2: 1.5, nc: 0.9, r2_5: 0.8 }, posed: { l1: 2, l2: 2.5, nc: 0.85, r2_5: 0.7 } }, scored: { neutral: '4/4', posed: '4/4' }, complete: true, status: 'complete' },
      { method: 'plain', values: { neutral: { l1: 1.1, l2: 1.6, nc: 0.95, r2_5: 0.75 }, posed: { l1: 2.2, l2: 2.4, nc: 0.8, r2_5: null }, }, scored: { neutral: '4/4', posed: '4/4' }, complete: true, status: 'complete' },
      { method: 'broken', values: { neutral: { l1: 0.1, l2: 0.1, nc: 1, r2_5: 1 }, posed: { l1: 0.1, l2: 0.1, nc: 1, r2_5: 1 } }, scored: { neutral: '1/4', posed: '1/4' }, complete: false, status: 'incomplete: 3 missing' },
    ],
    best: {
      'neutral.l1': ['plain'], 'neutral.l2': ['a_b & c%'], 'neutral.nc': ['plain'], 'neutral.r2_5': ['a_b & c%'],
      'posed.l1': ['a_b & c%'], 'posed.l2': ['plain'], 'posed.nc': ['a_b & c%'], 'posed.r2_5': ['a_b & c%'],
    },
  };

  it('is a booktabs table, methods as rows, 3 decimals, the best per column in bold, names escaped', () => {
    const tex = table2Latex(t);
    const lines = tex.split('\n');
    for (const rule of ['\\toprule', '\\midrule', '\\bottomrule']) expect(lines.filter((l) => l === rule)).toHaveLength(1);
    expect(lines.indexOf('\\toprule')).toBeLessThan(lines.indexOf('\\midrule'));
    expect(lines.indexOf('\\midrule')).toBeLessThan(lines.indexOf('\\bottomrule'));
    expect(tex).toContain('\\begin{tabular}{lrrrrrrrr}');
    expect(tex).toContain('\\multicolumn{4}{c}{Neutral} & \\multicolumn{4}{c}{Posed}');
    const body = lines.slice(lines.indexOf('\\midrule') + 1, lines.indexOf('\\bottomrule'));
    expect(body).toHaveLength(3);
    expect(body[0]).toBe('a\\_b \\& c\\% & 1.235 & \\textbf{1.500} & 0.900 & \\textbf{0.800} & \\textbf{2.000} & 2.500 & \\textbf{0.850} & \\textbf{0.700} \\\\');
    expect(body[1]).toBe('plain & \\textbf{1.100} & 1.600 & \\textbf{0.950} & 0.750 & 2.200 & \\textbf{2.400} & 0.800 & -- \\\\');
    // The incomplete method's better numbers are not bold; it is marked.
    expect(body[2]).toBe('broken$^\\dagger$ & 0.100 & 0.100 & 1.000 & 1.000 & 0.100 & 0.100 & 1.000 & 1.000 \\\\');
    // Exactly one bold cell per column.
    expect(count(tex, /\\textbf\{/g)).toBe(8);
  });

  it('escapes every LaTeX special character', () => {
    expect(latexEscape('a\\b{c}$d&e#f^g_h%i~j<k>|')).toBe('a\\textbackslash{}b\\{c\\}\\$d\\&e\\#f\\textasciicircum{}g\\_h\\%i\\textasciitilde{}j\\textless{}k\\textgreater{}\\textbar{}');
  });
});

describe('report --figures', () => {
  const root = tempDir('report-figures');
  let fx: ReportFixture;
  let files: ReportFiles;
  const png = (() => {
    const p = new PNG({ width: 40, height: 10 });
    p.data.fill(200);
    return PNG.sync.write(p);
  })();

  beforeAll(async () => {
    fx = await makeReportFixture(root);
    const rows = (['posed', 'neutral'] as const).map((task) => ({
      person: '001', item: 'EXP-1_000_222200000', task, pick: 'worst' as const, png, width: 40, height: 10, l2: { exact: 0 }, maxError: 1, caption: `row ${task}`,
    }));
    files = writeReport({ results: Object.values(fx.methods), out: join(root, 'out', 'report.html'), worst: 0, figures: join(root, 'figs'), panels: { rows, notes: [] } });
  });

  it('writes the panel PNGs, one SVG per chart, table2.tex and figures.json', () => {
    const dir = join(root, 'figs');
    const written = readdirSync(dir).sort();
    expect(written).toEqual(['figures.json', 'panel-1-posed.png', 'panel-2-neutral.png', 'person-neutral.svg', 'person-posed.svg', 'rank-neutral.svg', 'rank-posed.svg', 'table2.tex']);
    expect(readFileSync(join(dir, 'panel-1-posed.png')).equals(png)).toBe(true);
    const index = JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'));
    expect(index.panels.map((p: { file: string }) => p.file)).toEqual(['panel-1-posed.png', 'panel-2-neutral.png']);
    expect(index.charts.map((c: { file: string }) => c.file).sort()).toEqual(['person-neutral.svg', 'person-posed.svg', 'rank-neutral.svg', 'rank-posed.svg']);
    expect(index.tables).toEqual([{ file: 'table2.tex', table: 'Table 2 (booktabs)' }]);
    expect(files.figures?.dir).toBe(dir);
    // The chart files are the charts of the report's tables: one line per method.
    const rank = readFileSync(join(dir, 'rank-posed.svg'), 'utf8');
    expect(count(rank, /<polyline class="series-line"/g)).toBe(breakdownCharts(files.tables).find((c) => c.id === 'rank-posed')!.series.length);
    expect(count(rank, /<polyline class="series-line"/g)).toBe(2);
    const tex = readFileSync(join(dir, 'table2.tex'), 'utf8');
    expect(tex).toContain('noisy \\textless{}i\\textgreater{}\\& $^\\dagger$'.replace(' $', '$'));
    expect(count(tex, /\\textbf\{/g)).toBe(8); // `exact` is best everywhere
  });

  it('refuses a file as the figures folder, and writes nothing', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const out = join(root, 'refused', 'report.html');
    expect(() => writeReport({ results: Object.values(fx.methods), out, worst: 0, figures: file })).toThrow(/a-file: --figures needs a folder, and this is a file/);
    expect(existsSync(join(root, 'refused'))).toBe(false);
    const r = facebench(['report', '--results', ...Object.values(fx.methods), '--out', out, '--worst', '0', '--figures', file]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--figures needs a folder/);
    expect(existsSync(join(root, 'refused'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('passes --panel-items and --panel-method on to the panels; an unknown method is refused before anything is written', () => {
    const out = join(root, 'chosen', 'report.html');
    const r = facebench(['report', '--results', ...Object.values(fx.methods), '--out', out, '--worst', '0', '--panel-items', '002/EXP-2_010_222200001', '--panel-method', 'exact', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    const figures = [...html.matchAll(/<figure class="panel-row" id="panel-\d+" data-task="(\w+)" data-pick="(\w+)"><img src="data:image\/png;base64,/g)];
    expect(figures.map((m) => `${m[1]} ${m[2]}`)).toEqual(['posed chosen', 'neutral chosen']);
    expect(html).toMatch(/<figcaption>002\/EXP-2_010_222200001/);
    const refused = facebench(['report', '--results', ...Object.values(fx.methods), '--out', join(root, 'nope', 'report.html'), '--worst', '0', '--panel-method', 'no-such-method']);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/no-such-method/);
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });

  it('writes nothing into the figures folder when the results are refused', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const figs = join(root, 'figs-refused');
    expect(() => writeReport({ results: [empty], out: join(root, 'never', 'report.html'), figures: figs })).toThrow(/no results\.json/);
    expect(existsSync(figs)).toBe(false);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
