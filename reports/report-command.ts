import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { TOOL } from '../evaluators/util/index.js';
import { buildTables, loadNormals, loadResults, TABLE2_METRICS, TABLE2_TASKS, TABLE4_METRICS, type ReportTables } from './report-data.js';
import { renderReportHtml } from './report-html.js';
import { worstItemPictures } from './worst-items.js';

export interface ReportOptions {
  /** Method result folders (holding results.json), or folders of them. */
  results: string[];
  /**
   * `facebench eval-normals` output folders (or normals.json files) for Table 4; a normals.json
   * inside a results folder is read without being named here.
   */
  normals?: string[];
  /** The HTML file to write, e.g. `report.html`. */
  out: string;
  /** Worst items (largest L2) pictured per method, at their stored alignment; 0 = none. Default 3. */
  worst?: number;
  /** GT points kept per picture. Default 5000. */
  maxPoints?: number;
  title?: string;
}

export interface ReportFiles {
  html: string;
  json: string;
  /** CSV per table: table2, by-person, by-rank, by-view, items, curves, and normals when there are normal-map results. */
  csv: Record<string, string>;
  tables: ReportTables;
  /** Items that got no picture, and why. */
  notes: string[];
}

/** The plotly.js-dist bundle, inlined into the page so it opens offline. */
export function plotlySource(): string {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('plotly.js-dist/plotly.js');
  } catch {
    throw new InputError('plotly.js-dist', 'not installed: run `npm install plotly.js-dist` (the report inlines it to open offline)');
  }
  return readFileSync(path, 'utf8');
}

const num = (v: number | null) => (v === null ? '' : v);

/** The report's tables as CSV texts (one per table, keyed by name). */
export function tablesToCsv(t: ReportTables): Record<string, string> {
  const table2 = [
    ['method', ...TABLE2_TASKS.flatMap((task) => TABLE2_METRICS.map((m) => `${task.key}_${m.key}`)), ...TABLE2_TASKS.map((task) => `${task.key}_scored`), 'status', 'best_in'],
    ...t.table2.rows.map((r) => [
      r.method,
      ...TABLE2_TASKS.flatMap((task) => TABLE2_METRICS.map((m) => num(r.values[task.key][m.key]))),
      ...TABLE2_TASKS.map((task) => r.scored[task.key]),
      r.status,
      Object.entries(t.table2.best)
        .filter(([, methods]) => methods.includes(r.method))
        .map(([column]) => column)
        .join(' '),
    ]),
  ];
  const breakdown = (rows: ReportTables['byPerson'], group: string) => [
    ['method', 'task', group, 'items', 'scored', 'l1', 'l2', 'nc', 'r2_5'],
    ...rows.map((r) => [r.method, r.task, r.group, r.items, r.scored, num(r.l1), num(r.l2), num(r.nc), num(r.r2_5)]),
  ];
  const items = [
    ['method', 'person', 'item', 'task', 'rank', 'status', 'l1', 'l2', 'nc', 'r2_5', 'scale', 'seconds', 'key', 'error'],
    ...t.items.map((r) => [r.method, r.person, r.item, r.task, num(r.rank), r.status, num(r.l1), num(r.l2), num(r.nc), num(r.r2_5), num(r.scale), r.seconds, r.key, r.error]),
  ];
  const curves = [['method', 'task', 'd_mm', 'fraction'], ...t.curves.flatMap((c) => c.thresholds.map((d, i) => [c.method, c.task, d, c.fraction[i]]))];
  const csv: Record<string, string> = {
    table2: stringify(table2),
    'by-person': stringify(breakdown(t.byPerson, 'person')),
    'by-rank': stringify(breakdown(t.byRank, 'rank')),
    'by-view': stringify(breakdown(t.byView, 'view_bin')),
    items: stringify(items),
    curves: stringify(curves),
  };
  if (t.normals) {
    const n = t.normals;
    csv.normals = stringify([
      ['method', ...TABLE4_METRICS.map((m) => m.csv), 'items_scored', 'items_missing', 'pixels', 'status', 'best_in'],
      ...n.rows.map((r) => [
        r.method,
        ...TABLE4_METRICS.map((m) => r.values[m.key]),
        r.scored,
        r.missing,
        r.pixels,
        r.status,
        TABLE4_METRICS.filter((m) => n.best[m.key].includes(r.method))
          .map((m) => m.csv)
          .join(' '),
      ]),
    ]);
  }
  return csv;
}

/**
 * `facebench report`: one self-contained HTML page (plotly inlined) from `facebench eval`
 * results, plus the same tables beside it: `<stem>.json` (every table) and
 * `<stem>.<table>.csv` for table2, by-person, by-rank, by-view, items and curves (and normals, Table 4,
 * when normal-map results are given or found), where `<stem>` is the HTML file's name without
 * extension (`report.html` → `report.json`, `report.items.csv`, …). Results of different
 * benchmarks or protocols, the same method twice, or normal maps of another benchmark are
 * refused before anything is written. Every file is written atomically.
 */
export function writeReport(options: ReportOptions): ReportFiles {
  const loaded = loadResults(options.results);
  const normals = loadNormals(options.results, loaded, options.normals ?? []);
  const tables = buildTables(loaded, normals);
  const { pictures, notes } = worstItemPictures(
    loaded.map((l) => l.doc),
    options.worst ?? 3,
    options.maxPoints ?? 5000,
  );
  const html = resolve(options.out);
  const stem = join(dirname(html), basename(html, extname(html)));
  const generated = new Date().toISOString();
  const page = renderReportHtml({ tables, pictures, notes, plotly: plotlySource(), title: options.title, generated, tool: `${TOOL.name} ${TOOL.version}` });
  const csvTexts = tablesToCsv(tables);
  const csv: Record<string, string> = {};
  for (const [name, text] of Object.entries(csvTexts)) {
    csv[name] = `${stem}.${name}.csv`;
    writeFileAtomic(csv[name], text);
  }
  const json = `${stem}.json`;
  writeFileAtomic(json, `${JSON.stringify({ tool: TOOL, generated, ...tables, notes }, null, 1)}\n`);
  writeFileAtomic(html, page);
  return { html, json, csv, tables, notes };
}

/** CLI entry: write the report and print where it is. */
export async function reportCommand(options: ReportOptions & { quiet?: boolean }): Promise<ReportFiles> {
  const files = writeReport(options);
  if (!options.quiet) {
    for (const note of files.notes) console.log(`note: ${note}`);
    const normals = files.tables.normals ? `; Table 4 from ${files.tables.normals.rows.length} normals.json` : '';
    console.log(`report: ${files.html} (tables: ${files.json}, ${Object.values(files.csv).length} CSV files beside it${normals})`);
  }
  return files;
}
