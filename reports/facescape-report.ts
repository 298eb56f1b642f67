/**
 * FaceScape results (`facebench eval --protocol facescape-wild|facescape-lab`) in a report:
 * the tables FaceScape's scripts print (per view-angle bin, all, done rate; in-the-lab also
 * per focal length; reports/facescape-results.ts), their per-sample rows, and heat pictures of
 * the worst samples by CD: the prediction's error on FaceScape's 256×256 cylindrical
 * unwrapping (`maps.predError`, the values FaceScape paints on its heat meshes), coloured
 * 0–5 mm with the report's colour map beside the GT's radius map in grey. The nersemble/NoW
 * parts of a report (Table 2, curves, breakdowns, panels, 3D views) leave these results out.
 */
import { existsSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { discoverFacescapeTasks, FACESCAPE_SAMPLES, type FacescapeDataset, type ResultsDocument, type TaskRecord } from '../evaluators/formats/index.js';
import { encodeRgbPng } from '../evaluators/image/index.js';
import { configFromJson, type FacescapeMaps } from '../evaluators/protocols/index.js';
import { scoreFacescapeTask } from '../evaluators/scoring/index.js';
import { COLOUR_TABLE, colourAt } from './colour-map.js';
import { facescapeProtocolDataset, facescapeTable, formatCd, formatMne, formatPercent, summariseFacescapeResults, type FacescapeSummary } from './facescape-results.js';
import { protocolName } from './leaderboard.js';
import { drawText, fitText, GLYPH_ADVANCE, GLYPH_HEIGHT } from './panel-font.js';

/** FaceScape's heat-mesh colour scale: 0 … this many mm (larger errors take the top colour). */
export const HEAT_MAX_MM = 5;
/** Colour of map pixels without a value (predError NaN) and of the picture's margins. */
export const HEAT_BACKGROUND: readonly [number, number, number] = [255, 255, 255];
/** Map pixels are drawn as zoom×zoom blocks. */
export const HEAT_ZOOM = 2;

const INK: readonly [number, number, number] = [40, 40, 40];
const FONT = 2;
const PAD = 8;
const BAR_WIDTH = 16;
const SET_LABEL: Record<FacescapeDataset, string> = { fswild: 'in-the-wild', fslab: 'in-the-lab' };

/** The FaceScape set of a results document (facescape-wild / facescape-lab), else undefined. */
export function facescapeDatasetOf(doc: ResultsDocument): FacescapeDataset | undefined {
  return facescapeProtocolDataset(protocolName(doc));
}

export interface FacescapeItemRow {
  method: string;
  dataset: FacescapeDataset;
  person: string;
  item: string;
  status: string;
  cd: number | null;
  mne: number | null;
  cr: number | null;
  delta_z_mm: number | null;
  scale: number | null;
  error: string;
}

/** One printed table: header row then one row per method, cells as FaceScape's export_table.py writes them. */
export interface FacescapeTableText {
  /** CSV name: facescape-wild, facescape-lab, facescape-lab-focal. */
  name: string;
  title: string;
  dataset: FacescapeDataset;
  bins: 'angle' | 'focal';
  rows: string[][];
}

/** The FaceScape part of a report (report.json key `facescape`). */
export interface FacescapeReport {
  summaries: FacescapeSummary[];
  tables: FacescapeTableText[];
  items: FacescapeItemRow[];
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Per-method summaries and the tables of the FaceScape results among `loaded`; null when there are none. */
export function buildFacescapeReport(loaded: { file: string; doc: ResultsDocument }[]): FacescapeReport | null {
  const mine = loaded.filter((l) => facescapeDatasetOf(l.doc) !== undefined);
  if (mine.length === 0) return null;
  const summaries = mine.map((l) => summariseFacescapeResults(l.doc, l.file));
  const tables: FacescapeTableText[] = [];
  for (const dataset of ['fswild', 'fslab'] as const) {
    if (!summaries.some((s) => s.dataset === dataset)) continue;
    const name = dataset === 'fswild' ? 'facescape-wild' : 'facescape-lab';
    tables.push({ name, title: `FaceScape ${SET_LABEL[dataset]}: by view angle`, dataset, bins: 'angle', rows: facescapeTable(summaries, dataset, 'angle') });
    if (dataset === 'fslab') tables.push({ name: `${name}-focal`, title: 'FaceScape in-the-lab: by focal length (px)', dataset, bins: 'focal', rows: facescapeTable(summaries, dataset, 'focal') });
  }
  const items = mine.flatMap(({ doc }) =>
    doc.items.map((r): FacescapeItemRow => ({
      method: doc.method,
      dataset: facescapeDatasetOf(doc)!,
      person: r.person,
      item: r.item,
      status: r.status,
      cd: finite(r.metrics?.cd),
      mne: finite(r.metrics?.mne),
      cr: finite(r.metrics?.cr),
      delta_z_mm: finite(r.depth_alignment?.delta_z_mm),
      scale: finite(r.depth_alignment?.scale),
      error: r.error ?? '',
    })),
  );
  return { summaries, tables, items };
}

const num = (v: number | null) => (v === null ? '' : v);

/** CSV texts of the FaceScape tables (keyed by table name) and of the per-sample rows (`facescape-items`). */
export function facescapeCsv(r: FacescapeReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of r.tables) out[t.name] = stringify(t.rows);
  out['facescape-items'] = stringify([
    ['method', 'dataset', 'person', 'item', 'status', 'cd_mm', 'mne_rad', 'cr', 'delta_z_mm', 'scale', 'error'],
    ...r.items.map((i) => [i.method, i.dataset, i.person, i.item, i.status, num(i.cd), num(i.mne), num(i.cr), num(i.delta_z_mm), num(i.scale), i.error]),
  ]);
  return out;
}

/** A heat picture of one sample's error on the cylindrical unwrapping. */
export interface FacescapeHeatPicture {
  method: string;
  person: string;
  item: string;
  angleBin: string;
  /** The stored figures of the sample (results.json). */
  cd: number;
  mne: number | null;
  cr: number | null;
  png: Buffer;
  width: number;
  height: number;
  /** The map window drawn: columns [col0, col1) and rows [row0, row1) of the 256×256 unwrapping. */
  window: { col0: number; col1: number; row0: number; row1: number };
  /** Image pixels per map pixel, and the top-left corners of the heat tile and of the grey GT radius tile. */
  zoom: number;
  heat: { x: number; y: number };
  gt: { x: number; y: number };
  caption: string;
}

/** The bounding window (±2 pixels) of the map pixels where the GT has data; the whole map when it has none. */
export function gtWindow(maps: FacescapeMaps): FacescapeHeatPicture['window'] {
  let col0 = maps.cols, col1 = -1, row0 = maps.rows, row1 = -1;
  for (let i = 0; i < maps.rows; i++) {
    for (let j = 0; j < maps.cols; j++) {
      if (!(maps.gtRadius[i * maps.cols + j] > 0)) continue;
      if (j < col0) col0 = j;
      if (j > col1) col1 = j;
      if (i < row0) row0 = i;
      if (i > row1) row1 = i;
    }
  }
  if (col1 < 0) return { col0: 0, col1: maps.cols, row0: 0, row1: maps.rows };
  return { col0: Math.max(0, col0 - 2), col1: Math.min(maps.cols, col1 + 3), row0: Math.max(0, row0 - 2), row1: Math.min(maps.rows, row1 + 3) };
}

/** Fill a zoom×zoom block of the image at map pixel (i, j) of the window drawn at (x0, y0). */
function block(rgb: Uint8Array, width: number, x0: number, y0: number, zoom: number, colour: ArrayLike<number>): void {
  for (let dy = 0; dy < zoom; dy++) {
    for (let dx = 0; dx < zoom; dx++) {
      const o = 3 * ((y0 + dy) * width + x0 + dx);
      rgb[o] = colour[0];
      rgb[o + 1] = colour[1];
      rgb[o + 2] = colour[2];
    }
  }
}

/** The error tile: predError coloured 0…HEAT_MAX_MM, NaN as background. */
function drawHeat(rgb: Uint8Array, width: number, maps: FacescapeMaps, win: FacescapeHeatPicture['window'], x: number, y: number, zoom: number): void {
  const colour = new Uint8Array(3);
  for (let i = win.row0; i < win.row1; i++) {
    for (let j = win.col0; j < win.col1; j++) {
      const v = maps.predError[i * maps.cols + j];
      if (Number.isNaN(v)) continue;
      colourAt(v, HEAT_MAX_MM, colour, 0);
      block(rgb, width, x + (j - win.col0) * zoom, y + (i - win.row0) * zoom, zoom, colour);
    }
  }
}

/** The GT radius tile in grey: the window's smallest radius dark, its largest (nearest the viewer) light. */
function drawRadius(rgb: Uint8Array, width: number, maps: FacescapeMaps, win: FacescapeHeatPicture['window'], x: number, y: number, zoom: number): void {
  let lo = Infinity, hi = -Infinity;
  for (let i = win.row0; i < win.row1; i++) {
    for (let j = win.col0; j < win.col1; j++) {
      const r = maps.gtRadius[i * maps.cols + j];
      if (!(r > 0)) continue;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const grey = new Uint8Array(3);
  for (let i = win.row0; i < win.row1; i++) {
    for (let j = win.col0; j < win.col1; j++) {
      const r = maps.gtRadius[i * maps.cols + j];
      if (!(r > 0)) continue;
      grey.fill(Math.round(60 + (170 * (r - lo)) / span));
      block(rgb, width, x + (j - win.col0) * zoom, y + (i - win.row0) * zoom, zoom, grey);
    }
  }
}

/** The colour bar (top = HEAT_MAX_MM, bottom = 0) at (x, top…bottom) with its mm labels. */
function drawBar(rgb: Uint8Array, width: number, height: number, x: number, top: number, bottom: number): void {
  for (let y = top; y <= bottom; y++) {
    const e = Math.round((255 * (bottom - y)) / Math.max(1, bottom - top));
    for (let k = x; k < x + BAR_WIDTH; k++) rgb.set(COLOUR_TABLE.subarray(3 * e, 3 * e + 3), 3 * (y * width + k));
  }
  const half = Math.floor((GLYPH_HEIGHT * FONT) / 2);
  const lx = x + BAR_WIDTH + PAD / 2;
  drawText(rgb, width, height, `${HEAT_MAX_MM} mm`, lx, top, FONT, INK);
  drawText(rgb, width, height, `${HEAT_MAX_MM / 2} mm`, lx, Math.round((top + bottom) / 2) - half, FONT, INK);
  drawText(rgb, width, height, '0 mm', lx, bottom - GLYPH_HEIGHT * FONT + 1, FONT, INK);
}

/**
 * One heat picture as RGB: a label strip, the error tile (predError of the GT's window, zoom×zoom
 * per map pixel, 0…HEAT_MAX_MM in the report's colour map, NaN as background), the GT radius
 * tile in grey, and the colour bar with its mm labels. Rows run from the top of the head down,
 * columns left to right as seen from the front (the face is around column 128).
 */
export function heatImage(maps: FacescapeMaps, label: string, zoom = HEAT_ZOOM): Omit<FacescapeHeatPicture, 'method' | 'person' | 'item' | 'angleBin' | 'cd' | 'mne' | 'cr' | 'caption'> {
  const win = gtWindow(maps);
  const tw = (win.col1 - win.col0) * zoom, th = (win.row1 - win.row0) * zoom;
  const header = (GLYPH_HEIGHT + 4) * FONT;
  const heat = { x: PAD, y: header + PAD };
  const gt = { x: heat.x + tw + PAD, y: heat.y };
  const barX = gt.x + tw + 2 * PAD;
  const width = barX + BAR_WIDTH + PAD / 2 + 7 * GLYPH_ADVANCE * FONT + PAD;
  const height = heat.y + Math.max(th, 6 * GLYPH_HEIGHT * FONT) + PAD;
  const rgb = new Uint8Array(3 * width * height);
  for (let p = 0; p < width * height; p++) rgb.set(HEAT_BACKGROUND, 3 * p);
  drawText(rgb, width, height, fitText(label, width - 2 * PAD, FONT), PAD, FONT * 2, FONT, INK);
  drawHeat(rgb, width, maps, win, heat.x, heat.y, zoom);
  drawRadius(rgb, width, maps, win, gt.x, gt.y, zoom);
  drawBar(rgb, width, height, barX, heat.y, heat.y + Math.max(th, 6 * GLYPH_HEIGHT * FONT) - 1);
  return { png: encodeRgbPng(rgb, width, height), width, height, window: win, zoom, heat, gt };
}

/** The `perMethod` scored samples of a document with the largest CD (ties by sample name). */
export function worstByCd(doc: ResultsDocument, perMethod: number): TaskRecord[] {
  return doc.items
    .filter((r) => r.status === 'ok' && finite(r.metrics?.cd) !== null)
    .sort((a, b) => b.metrics!.cd - a.metrics!.cd || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0))
    .slice(0, perMethod);
}

const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** A heat picture of one record, or the one-line reason it has none. */
function samplePicture(doc: ResultsDocument, dataset: FacescapeDataset, r: TaskRecord): FacescapeHeatPicture | string {
  const label = `${doc.method} ${r.item}`;
  let task;
  try {
    [task] = discoverFacescapeTasks(doc.benchmark, doc.predictions, dataset, { samples: [r.item] }).tasks;
  } catch (error) {
    return `${label}: no heat picture (${oneLine(error)})`;
  }
  if (!task?.facescape) return `${label}: no heat picture (the benchmark ${doc.benchmark} has no sample ${r.item})`;
  if (!existsSync(task.pred)) return `${label}: no heat picture, its prediction ${task.pred} is gone`;
  const outcome = scoreFacescapeTask(task, configFromJson(doc.protocol), r.key);
  if (!outcome.result) return `${label}: no heat picture, re-scoring failed (${oneLine(outcome.record.error ?? 'unknown error')})`;
  const cd = r.metrics!.cd;
  const again = outcome.result.cd;
  const changed = Math.abs(again - cd) > 1e-6 * Math.max(1, cd);
  const mne = finite(r.metrics?.mne), cr = finite(r.metrics?.cr);
  const bin = task.facescape.angleBin;
  const image = heatImage(outcome.result.maps, `${doc.method} ${r.item} CD ${formatCd(cd)} mm`);
  const caption =
    `${doc.method} — sample ${r.item} (${SET_LABEL[dataset]}, angle bin ${bin}°): CD ${formatCd(cd)} mm, MNE ${formatMne(mne)} rad, CR ${formatPercent(cr)} %; ` +
    `error of the prediction's unwrapped surface to the GT, 0–${HEAT_MAX_MM} mm, white where no prediction meets the GT; right: GT radius` +
    (changed ? `; re-scored CD ${formatCd(again)} mm differs from the stored one: the files changed since eval` : '');
  return { method: doc.method, person: r.person, item: r.item, angleBin: bin, cd, mne, cr, caption, ...image };
}

/**
 * Heat pictures of the `perMethod` worst samples by CD of each FaceScape results document:
 * each sample re-scored (scoreFacescapeTask) from the benchmark folder and predictions the
 * document names, found through discoverFacescapeTasks. A sample whose files are gone, or
 * whose re-scoring fails, gets a one-line note instead.
 */
export function facescapeHeatPictures(docs: ResultsDocument[], perMethod = 3): { pictures: FacescapeHeatPicture[]; notes: string[] } {
  const pictures: FacescapeHeatPicture[] = [];
  const notes: string[] = [];
  for (const doc of docs) {
    const dataset = facescapeDatasetOf(doc);
    if (!dataset) continue;
    for (const r of worstByCd(doc, perMethod)) {
      const made = samplePicture(doc, dataset, r);
      if (typeof made === 'string') notes.push(made);
      else pictures.push(made);
    }
  }
  return { pictures, notes };
}

/** Escape text for HTML (as report-html.ts does; kept here so the two modules do not import each other). */
const esc = (text: unknown): string => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function tableHtml(t: FacescapeTableText): string {
  const [header, ...rows] = t.rows;
  const head = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr><th scope="row">${esc(r[0])}</th>${r.slice(1).map((c) => `<td class="num">${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<h3>${esc(t.title)}</h3><div class="scroll"><table id="${esc(t.name)}" class="facescape-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function itemsHtml(items: FacescapeItemRow[]): string {
  const fmt = (v: number | null, d: number) => (v === null ? '–' : v.toFixed(d));
  const rows = items
    .map(
      (i) =>
        `<tr><td>${esc(i.method)}</td><td>${esc(i.person)}</td><td>${esc(i.item)}</td><td${i.status === 'ok' ? '' : ' class="failed"'}>${esc(i.status)}</td>` +
        `<td class="num">${fmt(i.cd, 3)}</td><td class="num">${fmt(i.mne, 4)}</td><td class="num">${i.cr === null ? '–' : `${(100 * i.cr).toFixed(1)}%`}</td>` +
        `<td class="num">${fmt(i.delta_z_mm, 3)}</td><td class="num">${fmt(i.scale, 4)}</td><td class="err">${esc(i.error)}</td></tr>`,
    )
    .join('\n');
  return (
    `<details id="facescape-details"><summary>Per-sample FaceScape scores (${items.length} rows)</summary><div class="scroll"><table id="facescape-items">` +
    `<thead><tr><th>Method</th><th>Person</th><th>Sample</th><th>Status</th><th>CD (mm)</th><th>MNE (rad)</th><th>CR</th><th>Δz (mm)</th><th>scale</th><th>Error</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div></details>`
  );
}

function picturesHtml(pictures: FacescapeHeatPicture[]): string {
  if (pictures.length === 0) return '<p class="note" id="facescape-heat-none">No FaceScape heat picture (see the notes below).</p>';
  return pictures
    .map(
      (p, k) =>
        `<figure class="facescape-heat" id="facescape-heat-${k + 1}" data-method="${esc(p.method)}" data-item="${esc(p.item)}">` +
        `<img src="data:image/png;base64,${p.png.toString('base64')}" width="${p.width}" height="${p.height}" alt="${esc(p.caption)}"><figcaption>${esc(p.caption)}</figcaption></figure>`,
    )
    .join('\n');
}

/** The report's "FaceScape (CD, MNE, CR)" section. */
export function facescapeSectionHtml(report: FacescapeReport, pictures: FacescapeHeatPicture[], notes: string[]): string {
  const partial = report.summaries.filter((s) => s.listed < FACESCAPE_SAMPLES[s.dataset]);
  const intro =
    '<p class="note">FaceScape\'s single-view benchmark as its scripts report it: per view-angle bin and over all samples, CD (chamfer distance, mm, lower is better), MNE (mean normal error, rad, lower is better) and CR (completeness rate, higher is better), each the mean over the samples that did not fail; done = the share of samples that did not fail. ' +
    'In-the-lab angle bins use the 1200 px focal length only. These results are not part of Table 2, the panels or the 3D views.</p>' +
    (partial.length ? `<p class="note">Results listing part of the set (figures and done rate over the listed samples only): ${partial.map((s) => `${esc(s.method)} ${s.listed}/${FACESCAPE_SAMPLES[s.dataset]}`).join(', ')}.</p>` : '');
  const heat =
    `<h3>Worst samples by CD</h3><p class="note">Per sample, left: the distance (mm) from each point of the prediction's surface rebuilt on FaceScape's cylindrical unwrapping to the GT surface (the values of FaceScape's heat meshes), 0–${HEAT_MAX_MM} mm, white where no prediction meets the GT; right: the GT's radius in grey for orientation. Rows run from the top of the head down; the face is in the middle.</p>` +
    `<section id="facescape-heat">${picturesHtml(pictures)}</section>` +
    (notes.length ? `<ul class="note" id="facescape-notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '');
  return `<h2 id="facescape">FaceScape (CD, MNE, CR)</h2>\n${intro}\n${report.tables.map(tableHtml).join('\n')}\n${itemsHtml(report.items)}\n${heat}`;
}

/** A name made safe for a file name. */
export function fileSlug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'method';
}
