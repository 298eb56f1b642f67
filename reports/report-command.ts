import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { TOOL } from '../evaluators/util/index.js';
import { buildTables, isFacescapeLoaded, loadNormals, loadResults, TABLE2_METRICS, TABLE2_TASKS, TABLE4_METRICS, type ReportTables } from './report-data.js';
import { checkFiguresDir, writeFigures, type FigureIndex } from './figures.js';
import { renderReportHtml } from './report-html.js';
import { qualitativePanels, type PanelOptions, type PanelRow } from './panels.js';
import { storedErrorMaps, worstItemPictures } from './worst-items.js';
import { facescapeCsv, facescapeHeatPictures, facescapeSectionHtml, type FacescapeHeatPicture } from './facescape-report.js';

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
  /** Worst items (largest L2) pictured per method, at their stored alignment; FaceScape results: heat pictures of the largest-CD samples. 0 = none. Default 3. */
  worst?: number;
  /** GT points kept per picture. Default 3000. */
  maxPoints?: number;
  title?: string;
  /** `--panel-items pid/item ...`: the items of the qualitative panels (reports/panels.ts picks worst/median/best otherwise). */
  panelItems?: string[];
  /** `--panel-method NAME`: the method whose error picks the panel items. */
  panelMethod?: string;
  /** `--figures DIR`: also write the panels (PNG), charts (SVG), table2.tex and figures.json there. */
  figures?: string;
  /** Qualitative panel rows already made (qualitativePanels), instead of making them here. */
  panels?: { rows: PanelRow[]; notes: string[] };
}

export interface ReportFiles {
  html: string;
  json: string;
  /**
   * CSV per table: table2, by-person, by-rank, by-view, items, curves, and normals when there are
   * normal-map results; with FaceScape results also facescape-wild, facescape-lab,
   * facescape-lab-focal (those present) and facescape-items.
   */
  csv: Record<string, string>;
  tables: ReportTables;
  /** Items that got no picture, and why. */
  notes: string[];
  /** What the qualitative panels (reports/panels.ts) could not show, and why. */
  panelNotes: string[];
  /** The `--figures` folder and its index, when asked for. */
  figures?: { dir: string; index: FigureIndex };
  /** Heat pictures of the worst FaceScape samples by CD (reports/facescape-report.ts); their notes are in `notes`. */
  facescapePictures: FacescapeHeatPicture[];
}

/** Tile side (px) of the qualitative panels embedded in the page. */
export const PAGE_PANEL_TILE = 128;

/**
 * The plotly.js basic bundle (scatter and bar traces, minified, about 1.2 MB), inlined into the
 * page so it opens offline; the 3D view has its own small canvas renderer (report-html.ts).
 */
export function plotlySource(): string {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('plotly.js-basic-dist-min/plotly-basic.min.js');
  } catch {
    throw new InputError('plotly.js-basic-dist-min', 'not installed: run `npm install plotly.js-basic-dist-min` (the report inlines it to open offline)');
  }
  return readFileSync(path, 'utf8');
}

const num = (v: number | null) => (v === null ? '' : v);

/** The report's tables as CSV texts (one per table, keyed by name); a report of FaceScape results alone has only the facescape-* ones (and normals). */
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
  // FaceScape results alone: no nersemble/NoW tables to write, only FaceScape's (and Table 4's).
  const nersemble = t.table2.rows.length > 0 || !t.facescape;
  const csv: Record<string, string> = !nersemble ? {} : {
    table2: stringify(table2),
    'by-person': stringify(breakdown(t.byPerson, 'person')),
    'by-rank': stringify(breakdown(t.byRank, 'rank')),
    'by-view': stringify(breakdown(t.byView, 'view_bin')),
    items: stringify(items),
    curves: stringify(curves),
  };
  if (t.facescape) Object.assign(csv, facescapeCsv(t.facescape));
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
 * refused before anything is written. The page also embeds the qualitative panel rows of
 * reports/panels.ts (`panelItems`, `panelMethod` passed on) and a 3D view of the worst items.
 * With `figures`, the panels (PNG), the breakdown charts (SVG), table2.tex and figures.json go
 * into that folder too (figures.ts); a `figures` path that is a file is refused first. Every
 * file is written atomically. FaceScape results (facescape-wild / facescape-lab; comparable per
 * protocol, and allowed beside nersemble/NoW ones) get their own section instead
 * (reports/facescape-report.ts): FaceScape's tables, per-sample rows, and heat pictures of the
 * `worst` largest-CD samples per method (also written to `figures`); CSV facescape-*.
 */
export function writeReport(options: ReportOptions): ReportFiles {
  const figuresDir = options.figures === undefined ? undefined : checkFiguresDir(options.figures);
  const all = loadResults(options.results);
  const loaded = all.filter((l) => !isFacescapeLoaded(l));
  const normals = loadNormals(options.results, loaded, options.normals ?? []);
  const tables = buildTables(all, normals);
  const docs = loaded.map((l) => l.doc);
  const errorMaps = storedErrorMaps(loaded);
  const worst = options.worst ?? 3;
  const { pictures, notes: worstNotes } = docs.length ? worstItemPictures(docs, worst, options.maxPoints ?? 3000, undefined, errorMaps) : { pictures: [], notes: [] };
  const heat = tables.facescape ? facescapeHeatPictures(all.filter(isFacescapeLoaded).map((l) => l.doc), worst) : { pictures: [], notes: [] };
  const notes = [...worstNotes, ...heat.notes];
  const html = resolve(options.out);
  const stem = join(dirname(html), basename(html, extname(html)));
  const generated = new Date().toISOString();
  const panelOptions: PanelOptions = { errorMaps, ...(options.panelItems?.length ? { items: options.panelItems } : {}), ...(options.panelMethod ? { method: options.panelMethod } : {}) };
  // The page shows each row at most about 1,350 px wide: 128-px tiles (a row of 5 methods is
  // about 1,450 px, 100–200 KB); the --figures PNGs keep the panels' default, print-size tiles.
  const made = options.panels ?? (docs.length ? qualitativePanels(docs, { ...panelOptions, tile: PAGE_PANEL_TILE }) : { rows: [], notes: [] });
  const panels = made.rows;
  const panelNotes = made.notes;
  const facescape = tables.facescape
    ? { html: facescapeSectionHtml(tables.facescape, heat.pictures, heat.notes), methods: tables.facescape.summaries.map((s) => s.method) }
    : undefined;
  const page = renderReportHtml({
    tables, pictures, panels, notes: [...worstNotes, ...panelNotes], plotly: plotlySource(), title: options.title, generated, tool: `${TOOL.name} ${TOOL.version}`, ...(facescape ? { facescape } : {}),
  });
  const csvTexts = tablesToCsv(tables);
  const csv: Record<string, string> = {};
  for (const [name, text] of Object.entries(csvTexts)) {
    csv[name] = `${stem}.${name}.csv`;
    writeFileAtomic(csv[name], text);
  }
  const json = `${stem}.json`;
  const facescapePictures = heat.pictures.map(({ png: _png, ...rest }) => rest);
  writeFileAtomic(json, `${JSON.stringify({ tool: TOOL, generated, ...tables, notes, panelNotes, ...(tables.facescape ? { facescapePictures } : {}) }, null, 1)}\n`);
  writeFileAtomic(html, page);
  let figures: ReturnType<typeof writeFigures> | undefined;
  if (figuresDir !== undefined) {
    // The figures' panels at print size (the page's are small).
    const figurePanels = options.panels ? panels : docs.length ? qualitativePanels(docs, panelOptions).rows : [];
    figures = writeFigures(figuresDir, tables, figurePanels, heat.pictures);
  }
  return { html, json, csv, tables, notes, panelNotes, facescapePictures: heat.pictures, ...(figures ? { figures: { dir: figures.dir, index: figures.index } } : {}) };
}

/** CLI entry: write the report and print where it is. */
export async function reportCommand(options: ReportOptions & { quiet?: boolean }): Promise<ReportFiles> {
  const files = writeReport(options);
  if (!options.quiet) {
    for (const note of [...files.notes, ...files.panelNotes]) console.log(`note: ${note}`);
    const normals = files.tables.normals ? `; Table 4 from ${files.tables.normals.rows.length} normals.json` : '';
    console.log(`report: ${files.html} (tables: ${files.json}, ${Object.values(files.csv).length} CSV files beside it${normals})`);
    if (files.figures) {
      const i = files.figures.index;
      const heat = i.facescape?.length ? `, ${i.facescape.length} FaceScape heat PNG` : '';
      const tex = i.tables.length ? ', table2.tex' : '';
      console.log(`figures: ${files.figures.dir} (${i.panels.length} panel PNG, ${i.charts.length} chart SVG${heat}${tex}, figures.json)`);
    }
  }
  return files;
}
