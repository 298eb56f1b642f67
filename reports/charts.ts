/**
 * The report's breakdown charts as data (one spec per chart, shared by the HTML page's plots
 * and the `--figures` SVG files) and a small SVG writer for them: line charts (error by
 * expression rank) and grouped bars (error by person, by view angle), with axes, ticks, axis
 * labels, a legend and one colour per method. Vector output, no dependencies.
 */
import type { BreakdownRow, ReportTables } from './report-data.js';
import { viewBinOrder } from './view-bins.js';

/** One colour per method, in method order (Okabe–Ito, colour-blind safe, then a few more). */
export const METHOD_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#7F7F7F', '#8C564B'];

export const methodColour = (index: number): string => METHOD_COLOURS[index % METHOD_COLOURS.length];

export interface ChartSeries {
  /** The method. */
  name: string;
  colour: string;
  /** One value per category (null: no scored item there). */
  y: (number | null)[];
}

export interface ChartSpec {
  /** File stem and element id, e.g. `rank-posed`. */
  id: string;
  kind: 'line' | 'bars';
  title: string;
  xLabel: string;
  yLabel: string;
  /** The x categories (ranks, persons, view bins), in order. */
  categories: string[];
  series: ChartSeries[];
}

const TASKS = ['posed', 'neutral'] as const;

function specsOf(rows: BreakdownRow[], methods: string[], kind: ChartSpec['kind'], id: string, what: string, xLabel: string, order: (a: string, b: string) => number): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const task of TASKS) {
    const taskRows = rows.filter((r) => r.task === task);
    if (taskRows.length === 0) continue;
    const categories = [...new Set(taskRows.map((r) => r.group))].sort(order);
    const series = methods
      .map((method, i) => ({
        name: method,
        colour: methodColour(i),
        y: categories.map((g) => taskRows.find((r) => r.method === method && r.group === g)?.l2 ?? null),
      }))
      .filter((s) => s.y.some((v) => v !== null));
    if (series.length === 0) continue;
    out.push({ id: `${id}-${task}`, kind, title: `${task[0].toUpperCase()}${task.slice(1)}: mean L2 by ${what}`, xLabel, yLabel: 'L2 (mm)', categories, series });
  }
  return out;
}

const numericOrder = (a: string, b: string) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b));

/** The breakdown charts of a report: by expression rank (lines), by person and by view angle (grouped bars), posed and neutral each. */
export function breakdownCharts(t: ReportTables): ChartSpec[] {
  const methods = t.table2.rows.map((r) => r.method);
  return [
    ...specsOf(t.byRank, methods, 'line', 'rank', 'expression rank', 'Expression rank', numericOrder),
    ...specsOf(t.byPerson, methods, 'bars', 'person', 'person', 'Person', numericOrder),
    ...specsOf(t.byView, methods, 'bars', 'view', 'view angle', 'View angle', (a, b) => viewBinOrder(a) - viewBinOrder(b)),
  ];
}

/** Escape text for SVG/XML content and attribute values. */
export function escapeXml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** About 5 "nice" ticks (1, 2, 2.5, 5 × 10^k steps) from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = 0; ; k++) {
    const v = Number((k * step).toPrecision(12));
    ticks.push(v);
    if (v >= top - 1e-12) break;
  }
  return ticks;
}

const n = (v: number) => Number(v.toFixed(2));

/**
 * One chart as a standalone SVG document: a title, the y axis from 0 with nice ticks and grid
 * lines, category ticks on the x axis, the axis labels, and a legend with one entry per
 * method. A line chart draws one `<polyline class="series">` per method (broken where a
 * method has no value: one polyline per run of values) with a marker per point; a bar chart
 * one `<g class="series">` of `<rect>` bars per method, grouped per category.
 */
export function chartSvg(spec: ChartSpec, size: { width?: number; height?: number } = {}): string {
  const width = size.width ?? 640;
  const height = size.height ?? 400;
  const legendWidth = 150;
  const m = { left: 62, right: legendWidth + 16, top: 36, bottom: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const values = spec.series.flatMap((s) => s.y.filter((v): v is number => v !== null));
  const ticks = niceTicks(Math.max(0, ...values));
  const yMax = ticks[ticks.length - 1];
  const yOf = (v: number) => m.top + plotH - (v / yMax) * plotH;
  const slot = plotW / Math.max(1, spec.categories.length);
  const xOf = (i: number) => m.left + slot * (i + 0.5);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<title>${escapeXml(spec.title)}</title>`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text class="title" x="${n(m.left + plotW / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(spec.title)}</text>`);
  // y grid, ticks and labels
  parts.push('<g class="y-axis">');
  for (const t of ticks) {
    const y = n(yOf(t));
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + plotW}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<line x1="${m.left - 5}" y1="${y}" x2="${m.left}" y2="${y}" stroke="#333"/>`);
    parts.push(`<text class="tick" x="${m.left - 8}" y="${n(yOf(t) + 4)}" text-anchor="end">${escapeXml(String(t))}</text>`);
  }
  parts.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="#333"/>`);
  parts.push(`<text class="axis-label" transform="translate(16 ${n(m.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);
  parts.push('</g>');
  // x axis, category ticks and label
  parts.push('<g class="x-axis">');
  parts.push(`<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="#333"/>`);
  const every = Math.max(1, Math.ceil(spec.categories.length / Math.max(1, Math.floor(plotW / 40))));
  spec.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    const x = n(xOf(i));
    parts.push(`<line x1="${x}" y1="${m.top + plotH}" x2="${x}" y2="${m.top + plotH + 5}" stroke="#333"/>`);
    parts.push(`<text class="tick" x="${x}" y="${m.top + plotH + 18}" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  parts.push(`<text class="axis-label" x="${n(m.left + plotW / 2)}" y="${height - 16}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  parts.push('</g>');
  // data
  if (spec.kind === 'line') {
    for (const s of spec.series) {
      parts.push(`<g class="series" data-method="${escapeXml(s.name)}">`);
      let run: string[] = [];
      const flush = () => {
        if (run.length) parts.push(`<polyline class="series-line" fill="none" stroke="${s.colour}" stroke-width="2" points="${run.join(' ')}"/>`);
        run = [];
      };
      s.y.forEach((v, i) => {
        if (v === null) return flush();
        run.push(`${n(xOf(i))},${n(yOf(v))}`);
        parts.push(`<circle cx="${n(xOf(i))}" cy="${n(yOf(v))}" r="2.5" fill="${s.colour}"/>`);
      });
      flush();
      parts.push('</g>');
    }
  } else {
    const group = slot * 0.8;
    const bar = group / Math.max(1, spec.series.length);
    spec.series.forEach((s, k) => {
      parts.push(`<g class="series" data-method="${escapeXml(s.name)}" fill="${s.colour}">`);
      s.y.forEach((v, i) => {
        if (v === null) return;
        const x = xOf(i) - group / 2 + k * bar;
        parts.push(`<rect x="${n(x)}" y="${n(yOf(v))}" width="${n(bar * 0.92)}" height="${n(m.top + plotH - yOf(v))}"><title>${escapeXml(`${s.name}, ${spec.categories[i]}: ${v.toFixed(3)} mm`)}</title></rect>`);
      });
      parts.push('</g>');
    });
  }
  // legend
  parts.push('<g class="legend">');
  spec.series.forEach((s, k) => {
    const x = width - legendWidth;
    const y = m.top + 8 + k * 18;
    const mark =
      spec.kind === 'line'
        ? `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${s.colour}" stroke-width="2"/>`
        : `<rect x="${x + 3}" y="${y - 6}" width="12" height="12" fill="${s.colour}"/>`;
    const label = s.name.length > 20 ? `${s.name.slice(0, 19)}…` : s.name;
    parts.push(`${mark}<text class="legend-label" x="${x + 24}" y="${y + 4}">${escapeXml(label)}</text>`);
  });
  parts.push('</g>');
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
