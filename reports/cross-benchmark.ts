import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { isNowProtocol, isProtocolName } from '../evaluators/protocols/index.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { readFacescapeResults, readResultsDirs, type ResultsFile } from '../evaluators/formats/index.js';
import { facescapeTable, formatCd, formatMne, formatPercent, summariseFacescapeFolder, type FacescapeSummary } from './facescape-results.js';
import { assertComparable, formatNumber, protocolName, textTable } from './leaderboard.js';
import type { ResultsDocument } from '../evaluators/formats/index.js';

/** Thresholds (mm) at which the NoW table reports its cumulative curve. */
export const NOW_CURVE_MM = [1, 2, 3, 4, 5, 6, 7, 8];

export interface NowRow {
  method: string;
  task: string;
  median: number | null;
  mean: number | null;
  std: number | null;
  /** Fraction of pooled GT points within d, at NOW_CURVE_MM (null where the curve does not reach). */
  curve: (number | null)[];
  scored: number;
  items: number;
}

export interface FacescapeRow {
  method: string;
  cd: number | null;
  mne: number | null;
  /** Coverage as a fraction (printed in %). */
  cr: number | null;
  /** Where the figures come from: a facebench results file, or FaceScape's shipped per-sample results (in-the-lab means). */
  source?: string;
}

export interface Table3Row {
  method: string;
  now: { median: number | null; mean: number | null; std: number | null } | null;
  facescape: FacescapeRow | null;
}

export interface CrossTables {
  now: NowRow[];
  table3: Table3Row[];
  /** Footnotes of the Table-3 layout. */
  notes: string[];
  /** Results not used by these tables (e.g. nersemble ones), with the reason. */
  skipped: { method: string; protocol: string; source: string }[];
  /** FaceScape's shipped per-sample results (`--facescape-results`), summarised as its scripts do; empty without. */
  facescape: FacescapeSummary[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Curve value at d mm from the stored thresholds (exact match within 1e-9, else null). */
export function curveAt(doc: ResultsDocument, curve: number[], mm: number): number | null {
  const i = doc.curve_thresholds_mm.findIndex((t) => Math.abs(t - mm) < 1e-9);
  return i >= 0 ? num(curve[i]) : null;
}

function isNow(r: ResultsFile): boolean {
  const name = protocolName(r.doc);
  return isProtocolName(name) && isNowProtocol(name);
}

function isFacescape(r: ResultsFile): boolean {
  return protocolName(r.doc).startsWith('facescape');
}

/**
 * The NoW table (median/mean/std of the pooled distances and the cumulative curve at 1…8 mm,
 * one row per method and task) and the paper's Table-3 layout (rows methods; columns NoW
 * median/mean/std and FaceScape CD, MNE, CR), matching results of different benchmarks by
 * method name. NoW results must all share one benchmark and protocol (refused otherwise).
 * FaceScape columns read metrics cd/mne/cr of a `facescape*` protocol (none exists yet), or the
 * in-the-lab overall means of FaceScape's shipped per-sample results (`shipped`, see
 * reports/facescape-results.ts); n/a otherwise.
 */
export function buildCrossTables(results: ResultsFile[], shipped: FacescapeSummary[] = []): CrossTables {
  const now = results.filter(isNow);
  const facescape = results.filter(isFacescape);
  assertComparable(now);
  assertComparable(facescape);
  const skipped = results.filter((r) => !isNow(r) && !isFacescape(r)).map((r) => ({ method: r.doc.method, protocol: protocolName(r.doc), source: r.path }));
  const nowRows: NowRow[] = [];
  for (const r of now) {
    for (const [task, s] of Object.entries(r.doc.summary)) {
      nowRows.push({
        method: r.doc.method,
        task,
        median: num(s.metrics.median),
        mean: num(s.metrics.mean),
        std: num(s.metrics.std),
        curve: NOW_CURVE_MM.map((mm) => curveAt(r.doc, s.curve, mm)),
        scored: s.scored,
        items: s.items,
      });
    }
  }
  const lab = shipped.filter((s) => s.dataset === 'fslab');
  for (const s of lab) {
    const f = facescape.find((r) => r.doc.method === s.method);
    if (f) throw new InputError(s.folder, `method "${s.method}" has FaceScape results also in ${f.path}: pass each method once per benchmark`);
  }
  const methods = [...new Set([...now, ...facescape].map((r) => r.doc.method).concat(shipped.map((s) => s.method)))].sort();
  const table3: Table3Row[] = methods.map((method) => {
    const n = now.find((r) => r.doc.method === method);
    const f = facescape.find((r) => r.doc.method === method);
    const l = lab.find((s) => s.method === method);
    const nowSummary = n ? (n.doc.summary.posed ?? Object.values(n.doc.summary)[0]) : undefined;
    const fsSummary = f ? Object.values(f.doc.summary)[0] : undefined;
    return {
      method,
      now: nowSummary ? { median: num(nowSummary.metrics.median), mean: num(nowSummary.metrics.mean), std: num(nowSummary.metrics.std) } : null,
      facescape: fsSummary
        ? { method, cd: num(fsSummary.metrics.cd), mne: num(fsSummary.metrics.mne), cr: num(fsSummary.metrics.cr), source: f!.path }
        : l ? { method, cd: l.all.cd, mne: l.all.mne, cr: l.all.cr, source: l.folder } : null,
    };
  });
  const notes = [
    'NoW: median/mean/std (mm) of scan-to-mesh distances pooled over all scored items, as NoW evaluates.',
    facescape.length === 0 && shipped.length === 0
      ? 'FaceScape: n/a — no FaceScape protocol results were given (the FaceScape protocol is not implemented yet).'
      : facescape.length === 0
        ? 'FaceScape: CD (mm), MNE (rad), CR (%) — in-the-lab means over all 660 samples (non-NaN) of FaceScape\'s shipped per-sample results; n/a where a method has none.'
        : 'FaceScape: CD (mm), MNE (rad), CR (%) of the FaceScape protocol (or in-the-lab means of shipped per-sample results); n/a where a method has no FaceScape results.',
  ];
  const wildOnly = shipped.filter((s) => s.dataset === 'fswild' && !lab.some((l) => l.method === s.method));
  if (wildOnly.length > 0) notes.push(`FaceScape in-the-wild results only (Table 3 uses in-the-lab means, so n/a): ${wildOnly.map((s) => s.method).join(', ')}.`);
  const incomplete = nowRows.filter((r) => r.scored < r.items);
  if (incomplete.length > 0) notes.push(`Incomplete NoW results (figures over scored items only): ${incomplete.map((r) => `${r.method} ${r.task} ${r.scored}/${r.items}`).join(', ')}.`);
  return { now: nowRows, table3, notes, skipped, facescape: shipped };
}

export function nowTable(t: CrossTables): string[][] {
  return [
    ['method', 'task', 'median', 'mean', 'std', ...NOW_CURVE_MM.map((mm) => `≤${mm}mm`), 'scored'],
    ...t.now.map((r) => [r.method, r.task, formatNumber(r.median), formatNumber(r.mean), formatNumber(r.std), ...r.curve.map((v) => formatNumber(v, 4)), `${r.scored}/${r.items}`]),
  ];
}

export function table3(t: CrossTables): string[][] {
  const na = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? 'n/a' : formatNumber(v, digits));
  return [
    ['method', 'NoW median', 'NoW mean', 'NoW std', 'FaceScape CD (mm)', 'FaceScape MNE (rad)', 'FaceScape CR (%)'],
    ...t.table3.map((r) => [r.method, na(r.now?.median), na(r.now?.mean), na(r.now?.std), formatCd(r.facescape?.cd ?? null), formatMne(r.facescape?.mne ?? null), formatPercent(r.facescape?.cr ?? null)]),
  ];
}

export interface TablesOptions {
  /** Result folders of any benchmarks (eval output folders or method folders). */
  results: string[];
  /** Optional output folder: now.csv, table3.csv, tables.json (and facescape-wild.csv, facescape-lab.csv). */
  out?: string;
  /** FaceScape's `benchmark/eval_result` folder (or its parent): its shipped per-sample results. */
  facescapeResults?: string;
  quiet?: boolean;
}

type TablesFiles = { now: string; table3: string; json: string; facescapeWild?: string; facescapeLab?: string };

/** `facebench tables --results DIR... [--out DIR] [--facescape-results DIR]`. */
export function tablesCommand(options: TablesOptions): { tables: CrossTables; text: string; files?: TablesFiles } {
  const results = readResultsAcrossBenchmarks(options.results);
  const shipped = options.facescapeResults ? readFacescapeResults(options.facescapeResults) : undefined;
  const tables = buildCrossTables(results, shipped ? summariseFacescapeFolder(shipped) : []);
  if (tables.now.length === 0 && tables.table3.length === 0) {
    throw new InputError(options.results.join(' '), `no NoW or FaceScape results among ${results.length} result(s) (protocols: ${[...new Set(tables.skipped.map((s) => s.protocol))].join(', ')}): evaluate with --protocol now`);
  }
  const datasets = (['fswild', 'fslab'] as const).filter((d) => tables.facescape.some((s) => s.dataset === d));
  const title = { fswild: 'FaceScape in-the-wild (angle bins, °)', fslab: 'FaceScape in-the-lab (angle bins at f = 1200, °; all = 660 samples)' };
  const shippedText = shipped
    ? `${datasets.map((d) => `\n${title[d]} — ${shipped.root}\n${textTable(facescapeTable(tables.facescape, d))}\n`).join('')}${shipped.ignored.length ? `ignored in ${shipped.root}: ${shipped.ignored.map((i) => `${i.name} (${i.reason})`).join(', ')}\n` : ''}`
    : '';
  const text = `NoW\n${textTable(nowTable(tables))}\n\nTable 3\n${textTable(table3(tables))}\n${tables.notes.map((n, i) => `[${i + 1}] ${n}`).join('\n')}\n${tables.skipped.length ? `skipped (not NoW/FaceScape): ${tables.skipped.map((s) => `${s.method} (${s.protocol})`).join(', ')}\n` : ''}${shippedText}`;
  let files: TablesFiles | undefined;
  if (options.out) {
    files = { now: join(options.out, 'now.csv'), table3: join(options.out, 'table3.csv'), json: join(options.out, 'tables.json') };
    writeFileAtomic(files.now, stringify(nowTable(tables)));
    writeFileAtomic(files.table3, stringify(table3(tables)));
    if (datasets.includes('fswild')) writeFileAtomic((files.facescapeWild = join(options.out, 'facescape-wild.csv')), stringify(facescapeTable(tables.facescape, 'fswild')));
    if (datasets.includes('fslab')) writeFileAtomic((files.facescapeLab = join(options.out, 'facescape-lab.csv')), stringify(facescapeTable(tables.facescape, 'fslab')));
    const json = shipped ? { ...tables, facescape_results: { root: shipped.root, ignored: shipped.ignored } } : tables;
    writeFileAtomic(files.json, `${JSON.stringify(json, null, 1)}\n`);
  }
  if (!options.quiet) process.stdout.write(text + (files ? `wrote ${Object.values(files).join(', ')}\n` : ''));
  return { tables, text, files };
}

/**
 * Results of several benchmarks: the same method may appear once per protocol family, so the
 * duplicate-method check of readResultsDirs applies per family only.
 */
function readResultsAcrossBenchmarks(dirs: string[]): ResultsFile[] {
  const loaded = readResultsDirs(dirs);
  const seen = new Map<string, string>();
  for (const r of loaded) {
    const key = `${protocolName(r.doc).replace(/-metrical$/, '')}|${r.doc.method}`;
    const before = seen.get(key);
    if (before && before !== r.path) throw new InputError(r.path, `method "${r.doc.method}" has ${protocolName(r.doc)} results also in ${before}: pass each method once per benchmark`);
    seen.set(key, r.path);
  }
  return loaded;
}
